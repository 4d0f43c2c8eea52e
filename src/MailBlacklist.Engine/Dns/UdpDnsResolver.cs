using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;

namespace MailBlacklist.Engine.Dns
{
    /// <summary>A small UDP client for the questions blocklist lookups ask (A, AAAA, TXT, CNAME, SOA),
    /// built for many queries in flight: one connected socket per resolver with a large receive
    /// buffer and one receiving thread; queries matched by random ID and by question; a timeout per
    /// query; retries, then the next resolver. A truncated answer, and every other record type, goes
    /// to the DnsClient.NET resolver (which retries over TCP). Like every resolver here it reports
    /// failures as outcomes: a lost answer is a Timeout, never "no record".</summary>
    public sealed class UdpDnsResolver : IDnsResolver, IDisposable
    {
        private const int ReceiveBufferBytes = 4 * 1024 * 1024;
        private readonly Channel[] _channels;
        private readonly IDnsResolver _fallback;
        private readonly long _timeoutTicks;
        private readonly int _retries;
        private readonly Timer _sweeper;
        private readonly RandomNumberGenerator _random = RandomNumberGenerator.Create();
        private readonly byte[] _randomBytes = new byte[2 * 1024];
        private int _randomPos = int.MaxValue;
        private int _disposed;

        /// <param name="servers">Resolvers, in the order to try them; must not be empty.</param>
        /// <param name="fallback">Answers what this client does not: other record types and truncated answers.</param>
        public UdpDnsResolver(IReadOnlyList<IPEndPoint> servers, TimeSpan timeout, int retries, IDnsResolver fallback)
        {
            if (servers == null || servers.Count == 0) throw new ArgumentException("At least one server is needed.", nameof(servers));
            _fallback = fallback;
            _timeoutTicks = (long)(timeout.TotalSeconds * Stopwatch.Frequency);
            _retries = Math.Max(0, retries);
            Description = fallback.Description;
            CacheKey = fallback.CacheKey;
            _channels = servers.Select(s => new Channel(this, s)).ToArray();
            // Timeouts: one sweep over the pending queries every few milliseconds, not a timer each.
            int period = (int)Math.Max(5, Math.Min(50, timeout.TotalMilliseconds / 10));
            _sweeper = new Timer(_ => Sweep(), null, period, period);
        }

        public string Description { get; }
        public string CacheKey { get; }

        /// <summary>Queries waiting for an answer on the wire right now.</summary>
        public int Pending => _channels.Sum(c => c.PendingCount);

        public static bool Handles(DnsRecordType type) =>
            type == DnsRecordType.A || type == DnsRecordType.Aaaa || type == DnsRecordType.Txt || type == DnsRecordType.Soa || type == DnsRecordType.Cname;

        public async Task<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken)
        {
            if (!Handles(type)) return await _fallback.QueryAsync(name, type, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            DnsAnswer last = null;
            foreach (var channel in _channels)
            {
                for (int attempt = 0; attempt <= _retries; attempt++)
                {
                    var result = await channel.AskAsync(name, type, cancellationToken).ConfigureAwait(false);
                    var elapsed = Elapsed(start);
                    if (result.Outcome == Attempt.Answered)
                    {
                        if (!DnsWire.IsTruncated(result.Message))
                            return DnsWire.Parse(result.Message, result.Length, type, elapsed, channel.Server);
                        // Too big for 512 bytes: DnsClient asks again with EDNS and over TCP.
                        return await _fallback.QueryAsync(name, type, cancellationToken).ConfigureAwait(false);
                    }
                    if (result.Outcome == Attempt.BadName)
                        return DnsAnswer.Failed(DnsOutcome.OtherError, elapsed, channel.Server);
                    last = DnsAnswer.Failed(result.Outcome == Attempt.Unreachable ? DnsOutcome.Unreachable : DnsOutcome.Timeout, elapsed, channel.Server);
                    if (result.Outcome == Attempt.Unreachable) break;   // nobody listens there: next resolver
                }
            }
            return last;
        }

        private static TimeSpan Elapsed(long start) =>
            TimeSpan.FromTicks((long)((Stopwatch.GetTimestamp() - start) * (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency));

        private ushort NextId()
        {
            lock (_randomBytes)
            {
                if (_randomPos >= _randomBytes.Length)
                {
                    _random.GetBytes(_randomBytes);
                    _randomPos = 0;
                }
                ushort id = (ushort)(_randomBytes[_randomPos] << 8 | _randomBytes[_randomPos + 1]);
                _randomPos += 2;
                return id;
            }
        }

        private void Sweep()
        {
            long now = Stopwatch.GetTimestamp();
            foreach (var c in _channels) c.Expire(now);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            _sweeper.Dispose();
            foreach (var c in _channels) c.Dispose();
            _random.Dispose();
        }

        private enum Attempt { Answered, TimedOut, Unreachable, BadName }

        private struct AttemptResult
        {
            public Attempt Outcome;
            public byte[] Message;
            public int Length;
        }

        private sealed class PendingQuery
        {
            public string Name;
            public DnsRecordType Type;
            public long Deadline;
            public CancellationTokenRegistration Registration;

            public void Complete(AttemptResult result)
            {
                Registration.Dispose();
                Completion.TrySetResult(result);
            }
            public readonly TaskCompletionSource<AttemptResult> Completion =
                new TaskCompletionSource<AttemptResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        /// <summary>One resolver: a connected UDP socket and the thread that reads it.</summary>
        private sealed class Channel : IDisposable
        {
            private readonly UdpDnsResolver _owner;
            private readonly Socket _socket;
            private readonly ConcurrentDictionary<ushort, PendingQuery> _pending = new ConcurrentDictionary<ushort, PendingQuery>();
            private readonly Thread _reader;
            private volatile bool _closed;

            public Channel(UdpDnsResolver owner, IPEndPoint server)
            {
                _owner = owner;
                Server = ServerEndpoint.Format(server);
                _socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                // Hundreds of answers can arrive at once; the kernel's default buffer loses a burst.
                try { _socket.ReceiveBufferSize = ReceiveBufferBytes; } catch (SocketException) { }
                try { _socket.SendBufferSize = 1024 * 1024; } catch (SocketException) { }
                // Connected: the kernel drops datagrams from any other address, and reports ICMP
                // "port unreachable" as ConnectionRefused.
                _socket.Connect(server);
                _reader = new Thread(ReadLoop) { IsBackground = true, Name = "MailBlacklist DNS " + Server };
                _reader.Start();
            }

            public string Server { get; }
            public int PendingCount => _pending.Count;

            public Task<AttemptResult> AskAsync(string name, DnsRecordType type, CancellationToken cancellationToken)
            {
                var query = new PendingQuery { Name = name, Type = type };
                ushort id;
                do { id = _owner.NextId(); } while (!_pending.TryAdd(id, query));
                byte[] packet = DnsWire.BuildQuery(id, name, type);
                if (packet == null)
                {
                    _pending.TryRemove(id, out _);
                    return Task.FromResult(new AttemptResult { Outcome = Attempt.BadName });
                }
                query.Deadline = Stopwatch.GetTimestamp() + _owner._timeoutTicks;
                if (cancellationToken.CanBeCanceled)
                {
                    query.Registration = cancellationToken.Register(() =>
                    {
                        if (_pending.TryRemove(id, out var q)) q.Completion.TrySetCanceled(cancellationToken);
                    });
                }
                try
                {
                    if (_closed) throw new ObjectDisposedException(nameof(UdpDnsResolver));
                    _socket.Send(packet, 0, packet.Length, SocketFlags.None);
                }
                catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException)
                {
                    var outcome = ex is SocketException se && IsUnreachable(se) ? Attempt.Unreachable : Attempt.TimedOut;
                    if (_pending.TryRemove(id, out var q)) q.Complete(new AttemptResult { Outcome = outcome });
                }
                return query.Completion.Task;
            }

            private void ReadLoop()
            {
                var buffer = new byte[65535];
                while (!_closed)
                {
                    int n;
                    try
                    {
                        n = _socket.Receive(buffer, 0, buffer.Length, SocketFlags.None);
                    }
                    catch (SocketException ex) when (IsUnreachable(ex))
                    {
                        // Some query got "port unreachable"; nobody listens: every waiting query fails now.
                        FailAll(Attempt.Unreachable);
                        continue;
                    }
                    catch (SocketException) when (!_closed)
                    {
                        continue;
                    }
                    catch (Exception)
                    {
                        break;   // socket closed
                    }
                    if (n < DnsWire.HeaderLength) continue;
                    ushort id = DnsWire.ReadId(buffer);
                    if (!_pending.TryGetValue(id, out var query)) continue;              // late or foreign
                    if (!DnsWire.MatchesQuestion(buffer, n, query.Name, query.Type)) continue;
                    if (!_pending.TryRemove(id, out query)) continue;
                    var copy = new byte[n];
                    Buffer.BlockCopy(buffer, 0, copy, 0, n);
                    query.Complete(new AttemptResult { Outcome = Attempt.Answered, Message = copy, Length = n });
                }
            }

            // ICMP "port unreachable" on a connected UDP socket: ECONNREFUSED on Linux and macOS,
            // WSAECONNRESET on Windows.
            private static bool IsUnreachable(SocketException ex) =>
                ex.SocketErrorCode == SocketError.ConnectionRefused || ex.SocketErrorCode == SocketError.ConnectionReset;

            public void Expire(long now)
            {
                foreach (var pair in _pending)
                {
                    if (pair.Value.Deadline != 0 && pair.Value.Deadline <= now && _pending.TryRemove(pair.Key, out var q))
                        q.Complete(new AttemptResult { Outcome = Attempt.TimedOut });
                }
            }

            private void FailAll(Attempt outcome)
            {
                foreach (var pair in _pending)
                    if (_pending.TryRemove(pair.Key, out var q)) q.Complete(new AttemptResult { Outcome = outcome });
            }

            public void Dispose()
            {
                _closed = true;
                try { _socket.Dispose(); } catch (Exception) { }
                foreach (var pair in _pending)
                    if (_pending.TryRemove(pair.Key, out var q)) q.Completion.TrySetCanceled();
            }
        }
    }
}

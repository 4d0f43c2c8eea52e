using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace MailBlacklist.Engine.Dns
{
    /// <summary>One question over TCP to one server (RFC 7766), for answers that came back
    /// truncated over UDP from a zone's own server. A connection per question: truncation is rare.
    /// The reply counts only if it carries the ID and the question asked (RFC 5452), on the
    /// connection to the server asked.</summary>
    internal sealed class TcpDnsResolver : IDnsResolver
    {
        private static readonly RandomNumberGenerator Random = RandomNumberGenerator.Create();
        private readonly IPEndPoint _server;
        private readonly TimeSpan _budget;
        private readonly bool _recursionDesired;

        public TcpDnsResolver(IPEndPoint server, TimeSpan budget, bool recursionDesired)
        {
            _server = server;
            _budget = budget;
            _recursionDesired = recursionDesired;
            Description = CacheKey = ServerEndpoint.Format(server);
        }

        public string Description { get; }
        public string CacheKey { get; }

        public async Task<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken)
        {
            long start = Stopwatch.GetTimestamp();
            var idBytes = new byte[2];
            lock (Random) Random.GetBytes(idBytes);
            ushort id = (ushort)(idBytes[0] << 8 | idBytes[1]);
            byte[] packet = DnsWire.BuildQuery(id, name, type, _recursionDesired);
            if (packet == null) return DnsAnswer.Failed(DnsOutcome.OtherError, Elapsed(start), Description);

            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            using (var client = new TcpClient(_server.AddressFamily))
            {
                timeout.CancelAfter(_budget);
                // ConnectAsync and the stream reads of netstandard2.0 take no token: closing the
                // socket is what ends them.
                using (timeout.Token.Register(() => client.Dispose()))
                {
                    try
                    {
                        await client.ConnectAsync(_server.Address, _server.Port).ConfigureAwait(false);
                        var stream = client.GetStream();
                        var frame = new byte[packet.Length + 2];
                        frame[0] = (byte)(packet.Length >> 8);
                        frame[1] = (byte)packet.Length;
                        Buffer.BlockCopy(packet, 0, frame, 2, packet.Length);
                        await stream.WriteAsync(frame, 0, frame.Length, timeout.Token).ConfigureAwait(false);
                        var prefix = await ReadExactlyAsync(stream, 2, timeout.Token).ConfigureAwait(false);
                        int length = prefix[0] << 8 | prefix[1];
                        if (length < DnsWire.HeaderLength) return AnswerBuilder.Malformed(0, Elapsed(start), Description);
                        var message = await ReadExactlyAsync(stream, length, timeout.Token).ConfigureAwait(false);
                        if (DnsWire.ReadId(message) != id || !DnsWire.MatchesQuestion(message, length, name, type))
                            return AnswerBuilder.Malformed(0, Elapsed(start), Description);
                        return DnsWire.Parse(message, length, type, Elapsed(start), Description);
                    }
                    catch (Exception) when (cancellationToken.IsCancellationRequested)
                    {
                        throw new OperationCanceledException(cancellationToken);
                    }
                    catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
                    {
                        return DnsAnswer.Failed(DnsOutcome.Unreachable, Elapsed(start), Description);
                    }
                    catch (Exception ex) when (ex is SocketException || ex is IOException || ex is ObjectDisposedException || ex is OperationCanceledException)
                    {
                        return DnsAnswer.Failed(timeout.IsCancellationRequested ? DnsOutcome.Timeout : DnsOutcome.Unreachable, Elapsed(start), Description);
                    }
                }
            }
        }

        private static async Task<byte[]> ReadExactlyAsync(Stream stream, int count, CancellationToken token)
        {
            var buffer = new byte[count];
            int read = 0;
            while (read < count)
            {
                int n = await stream.ReadAsync(buffer, read, count - read, token).ConfigureAwait(false);
                if (n == 0) throw new IOException("connection closed");
                read += n;
            }
            return buffer;
        }

        private static TimeSpan Elapsed(long start) =>
            TimeSpan.FromSeconds((double)(Stopwatch.GetTimestamp() - start) / Stopwatch.Frequency);
    }
}

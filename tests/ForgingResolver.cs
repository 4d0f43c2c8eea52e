// A resolver on 127.0.0.1 that attacks its own clients, for the forged-answer tests (RFC 5452).
// For every query it first sends forged replies - wrong ID, no question section, another name,
// another type, not a response, and the right answer's look-alikes from another port - claiming
// both "does not exist" and "listed"; then, a few milliseconds later, the true answer it got by
// forwarding the query to a real server. Loaded by Add-Type in the tests; not part of the module.
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading;

public sealed class ForgingResolver : IDisposable
{
    private readonly Socket _front, _other, _upstream;
    private readonly ConcurrentDictionary<string, EndPoint> _clients = new ConcurrentDictionary<string, EndPoint>();
    private readonly ConcurrentDictionary<int, bool> _ports = new ConcurrentDictionary<int, bool>();
    private readonly BlockingCollection<Tuple<long, byte[], EndPoint>> _delayed = new BlockingCollection<Tuple<long, byte[], EndPoint>>();
    private readonly int _delayMs;
    private volatile bool _closed;
    private long _queries, _forged, _relayed;

    public ForgingResolver(IPEndPoint upstream, int delayMs)
    {
        _delayMs = delayMs;
        _front = Bind();
        _other = Bind();
        _upstream = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _upstream.ReceiveBufferSize = 4 << 20;
        _upstream.Connect(upstream);
        Start(FrontLoop);
        Start(UpstreamLoop);
        Start(SendLoop);
    }

    public string Endpoint { get { return "127.0.0.1:" + ((IPEndPoint)_front.LocalEndPoint).Port; } }
    public long Queries { get { return Interlocked.Read(ref _queries); } }
    public long Forged { get { return Interlocked.Read(ref _forged); } }
    public long Relayed { get { return Interlocked.Read(ref _relayed); } }
    /// <summary>Distinct source ports the queries came from.</summary>
    public int SourcePorts { get { return _ports.Count; } }

    private static Socket Bind()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.ReceiveBufferSize = 4 << 20;
        s.SendBufferSize = 4 << 20;
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return s;
    }

    private static void Start(ThreadStart loop)
    {
        new Thread(loop) { IsBackground = true }.Start();
    }

    private void FrontLoop()
    {
        var buffer = new byte[4096];
        while (!_closed)
        {
            EndPoint client = new IPEndPoint(IPAddress.Any, 0);
            int n;
            try { n = _front.ReceiveFrom(buffer, ref client); }
            catch (SocketException) { continue; }
            catch (ObjectDisposedException) { return; }
            int qEnd = QuestionEnd(buffer, n);
            if (qEnd < 0) continue;
            Interlocked.Increment(ref _queries);
            _ports[((IPEndPoint)client).Port] = true;
            var query = new byte[n];
            Buffer.BlockCopy(buffer, 0, query, 0, n);
            foreach (var forged in Forgeries(query, qEnd))
            {
                try { _front.SendTo(forged, client); Interlocked.Increment(ref _forged); } catch (SocketException) { }
            }
            foreach (var forged in new[] { Reply(query, qEnd, query[0], query[1], 3, false), Reply(query, qEnd, query[0], query[1], 0, true) })
            {
                // The real answer's twins, from another port of the same address.
                try { _other.SendTo(forged, client); Interlocked.Increment(ref _forged); } catch (SocketException) { }
            }
            _clients[Key(query, qEnd)] = client;
            try { _upstream.Send(query); } catch (SocketException) { }
        }
    }

    private void UpstreamLoop()
    {
        var buffer = new byte[4096];
        while (!_closed)
        {
            int n;
            try { n = _upstream.Receive(buffer); }
            catch (SocketException) { continue; }
            catch (ObjectDisposedException) { return; }
            int qEnd = QuestionEnd(buffer, n);
            if (qEnd < 0) continue;
            var answer = new byte[n];
            Buffer.BlockCopy(buffer, 0, answer, 0, n);
            EndPoint client;
            if (_clients.TryRemove(Key(answer, qEnd), out client))
                _delayed.Add(Tuple.Create(Stopwatch.GetTimestamp() + _delayMs * Stopwatch.Frequency / 1000, answer, client));
        }
    }

    private void SendLoop()
    {
        try
        {
            foreach (var item in _delayed.GetConsumingEnumerable())
            {
                long wait = item.Item1 - Stopwatch.GetTimestamp();
                if (wait > 0) Thread.Sleep(TimeSpan.FromTicks(wait * TimeSpan.TicksPerSecond / Stopwatch.Frequency));
                try { _front.SendTo(item.Item2, item.Item3); Interlocked.Increment(ref _relayed); } catch (SocketException) { }
            }
        }
        catch (ObjectDisposedException) { }
        catch (InvalidOperationException) { }
    }

    private static IEnumerable<byte[]> Forgeries(byte[] q, int qEnd)
    {
        byte idHi = q[0], idLo = (byte)(q[1] ^ 0x5A);
        yield return Reply(q, qEnd, idHi, idLo, 3, false);                     // wrong ID, "does not exist"
        yield return Reply(q, qEnd, idHi, idLo, 0, true);                      // wrong ID, "listed"
        yield return NoQuestion(q, 3, false);                                  // right ID, no question, NXDOMAIN
        yield return NoQuestion(q, 0, true);                                   // right ID, no question, "listed"
        yield return OtherName(q, qEnd);                                       // right ID, another name
        var otherType = Reply(q, qEnd, q[0], q[1], 3, false);                  // right ID, another type
        otherType[qEnd - 3] ^= 0x11;                                           // A (1) <-> TXT (16)
        yield return otherType;
        var notResponse = Reply(q, qEnd, q[0], q[1], 3, false);                // right ID, QR clear
        notResponse[2] &= 0x7F;
        yield return notResponse;
    }

    // Header + the question as asked + optionally one A 127.0.0.2 answer pointing at the question.
    private static byte[] Reply(byte[] q, int qEnd, byte idHi, byte idLo, int rcode, bool listed)
    {
        var m = new List<byte> { idHi, idLo, 0x81, (byte)(0x80 | rcode), 0, 1, 0, (byte)(listed ? 1 : 0), 0, 0, 0, 0 };
        for (int i = 12; i < qEnd; i++) m.Add(q[i]);
        if (listed) m.AddRange(new byte[] { 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 2 });
        return m.ToArray();
    }

    private static byte[] NoQuestion(byte[] q, int rcode, bool listed)
    {
        var m = new List<byte> { q[0], q[1], 0x81, (byte)(0x80 | rcode), 0, 0, 0, (byte)(listed ? 1 : 0), 0, 0, 0, 0 };
        if (listed)
        {
            int nameEnd = 12;
            while (q[nameEnd] != 0) nameEnd += q[nameEnd] + 1;
            for (int i = 12; i <= nameEnd; i++) m.Add(q[i]);
            m.AddRange(new byte[] { 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 2 });
        }
        return m.ToArray();
    }

    private static byte[] OtherName(byte[] q, int qEnd)
    {
        // "x" + the first label: a name the client did not ask, answered NXDOMAIN.
        var m = new List<byte> { q[0], q[1], 0x81, 0x83, 0, 1, 0, 0, 0, 0, 0, 0 };
        m.Add((byte)(q[12] + 1));
        m.Add((byte)'x');
        for (int i = 13; i < qEnd; i++) m.Add(q[i]);
        return m.ToArray();
    }

    // Offset just after QTYPE and QCLASS of a one-question message with an uncompressed name, or -1.
    private static int QuestionEnd(byte[] m, int n)
    {
        if (n < 17 || m[4] != 0 || m[5] != 1) return -1;
        int p = 12;
        while (p < n && m[p] != 0)
        {
            if ((m[p] & 0xC0) != 0) return -1;
            p += m[p] + 1;
        }
        p += 5;
        return p <= n ? p : -1;
    }

    private static string Key(byte[] m, int qEnd)
    {
        var chars = new char[qEnd];
        for (int i = 0; i < qEnd; i++)
        {
            byte b = m[i];
            if (i >= 12 && b >= 'A' && b <= 'Z') b = (byte)(b + 32);
            chars[i] = (char)b;
        }
        // ID + lower-case question; header flags and counts left out.
        return new string(chars, 0, 2) + new string(chars, 12, qEnd - 12);
    }

    public void Dispose()
    {
        _closed = true;
        _delayed.CompleteAdding();
        _front.Dispose();
        _other.Dispose();
        _upstream.Dispose();
    }
}

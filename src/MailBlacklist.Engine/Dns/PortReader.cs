using System.Net.Sockets;

namespace MailBlacklist.Engine.Dns
{
    /// <summary>One thread that reads every socket of one server's <see cref="PortPool"/>: it waits
    /// in poll(2) (Socket.Select) on all of them and then reads each ready socket until it is empty.
    /// One reader per server, not one per socket: a thread blocked in recv wakes once per datagram
    /// (a context switch each, costly on a virtual machine), and eight readers also fight over the
    /// server's lock; one reader takes whatever has queued up while it was busy in one go.</summary>
    internal sealed class PortReader
    {
        /// <summary>How long a wait in poll lasts before the reader looks at the pool again (new or
        /// closed sockets, the end of the command).</summary>
        private const int PollMicroseconds = 50_000;
        /// <summary>Datagrams taken from one socket before the next gets its turn.</summary>
        private const int BatchPerSocket = 32;

        private readonly Func<UdpPort[]> _ports;
        private readonly Action<UdpPort, byte[], int> _onDatagram;
        private readonly Action<UdpPort> _onUnreachable;
        private volatile bool _closed;

        /// <param name="ports">The sockets open now (a snapshot the pool replaces as it changes).</param>
        public PortReader(Func<UdpPort[]> ports, Action<UdpPort, byte[], int> onDatagram, Action<UdpPort> onUnreachable, string name)
        {
            _ports = ports;
            _onDatagram = onDatagram;
            _onUnreachable = onUnreachable;
            new Thread(Run) { IsBackground = true, Name = name }.Start();
        }

        private void Run()
        {
            var buffer = new byte[65535];
            var ready = new List<Socket>(2 * PortPool.PoolSize);
            while (!_closed)
            {
                var ports = _ports();
                ready.Clear();
                foreach (var p in ports) ready.Add(p.Socket);
                if (ready.Count == 0) { Thread.Sleep(10); continue; }
                try { Socket.Select(ready, null, null, PollMicroseconds); }
                // A socket closed under the wait (its last query done, or the command ended): look again.
                catch (Exception ex) when (ex is ObjectDisposedException || ex is SocketException) { continue; }
                foreach (var socket in ready)
                {
                    var port = Find(ports, socket);
                    if (port != null) Drain(port, buffer);
                }
            }
        }

        private void Drain(UdpPort port, byte[] buffer)
        {
            for (int i = 0; i < BatchPerSocket && !_closed; i++)
            {
                int n = port.TryReceive(buffer, out bool unreachable);
                if (unreachable) { _onUnreachable(port); return; }
                if (n < 0) return;
                if (n >= DnsWire.HeaderLength) _onDatagram(port, buffer, n);
            }
        }

        private static UdpPort Find(UdpPort[] ports, Socket socket)
        {
            foreach (var p in ports) if (p.Socket == socket) return p;
            return null;
        }

        /// <summary>Ends the thread within one poll wait.</summary>
        public void Stop() => _closed = true;
    }
}

using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;

namespace MailBlacklist.Engine.Dns
{
    /// <summary>One server's sockets on random source ports (RFC 5452): an off-path forger must
    /// guess the port among these as well as the ID, and each socket is replaced after
    /// <see cref="SendsPerPort"/> queries or <see cref="PortLifetime"/>; a replaced socket stays
    /// open until its last query is done. Also the random source of query IDs. One
    /// <see cref="PortReader"/> reads them all. Not thread-safe, except <see cref="Open"/>: the
    /// owning <see cref="ServerLink"/> holds its lock.</summary>
    internal sealed class PortPool : IDisposable
    {
        public const int PoolSize = 8;
        private const int SendsPerPort = 5000;
        private static readonly long PortLifetime = Stopwatch.Frequency * 10;

        private readonly IPEndPoint _server;
        private readonly Action<UdpPort, byte[], int> _onDatagram;
        private readonly Action<UdpPort> _onUnreachable;
        private PortReader _reader;
        private volatile UdpPort[] _open = new UdpPort[0];
        private readonly UdpPort[] _ports = new UdpPort[PoolSize];
        private readonly List<UdpPort> _retired = new List<UdpPort>();
        private readonly HashSet<int> _portsUsed = new HashSet<int>();
        private readonly RandomNumberGenerator _random = RandomNumberGenerator.Create();
        private readonly byte[] _randomBytes = new byte[1024];
        private int _randomPos = int.MaxValue;

        public PortPool(IPEndPoint server, Action<UdpPort, byte[], int> onDatagram, Action<UdpPort> onUnreachable)
        {
            _server = server;
            _onDatagram = onDatagram;
            _onUnreachable = onUnreachable;
        }

        /// <summary>Distinct source ports used so far.</summary>
        public int PortsUsed => _portsUsed.Count;

        /// <summary>A socket for the next query, opening a new one where a slot is empty or worn out.</summary>
        public UdpPort Pick(long now)
        {
            int i = NextByte() % PoolSize;
            var port = _ports[i];
            if (port != null && !port.Retired && port.Sent < SendsPerPort && now - port.Created < PortLifetime) return port;
            if (port != null) Retire(port);
            port = new UdpPort(_server);
            _ports[i] = port;
            _portsUsed.Add(port.LocalPort);
            Changed();
            if (_reader == null) _reader = new PortReader(() => _open, _onDatagram, _onUnreachable, "MailBlacklist DNS " + ServerEndpoint.Format(_server));
            return port;
        }

        /// <summary>The sockets open now, for the reader (any thread).</summary>
        public UdpPort[] Open => _open;

        private void Changed()
        {
            var open = new List<UdpPort>(All());
            _open = open.ToArray();
        }

        /// <summary>A query left <paramref name="port"/>: a replaced socket closes with its last query.</summary>
        public void Released(UdpPort port)
        {
            if (port.Retired && port.Pending.Count == 0)
            {
                _retired.Remove(port);
                port.Dispose();
                Changed();
            }
        }

        /// <summary>Every open socket, replaced ones included.</summary>
        public IEnumerable<UdpPort> All()
        {
            foreach (var p in _ports) if (p != null) yield return p;
            foreach (var p in _retired) yield return p;
        }

        public ushort NextId() => (ushort)(NextByte() << 8 | NextByte());

        private void Retire(UdpPort port)
        {
            port.Retired = true;
            if (port.Pending.Count == 0) port.Dispose();
            else _retired.Add(port);
            // The caller puts the new socket in the slot and publishes the set.
        }

        private byte NextByte()
        {
            if (_randomPos >= _randomBytes.Length)
            {
                _random.GetBytes(_randomBytes);
                _randomPos = 0;
            }
            return _randomBytes[_randomPos++];
        }

        public void Dispose()
        {
            _reader?.Stop();
            _open = new UdpPort[0];
            foreach (var p in All()) p.Dispose();
            _random.Dispose();
        }
    }
}

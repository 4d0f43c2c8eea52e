using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MailBlacklist.Engine.Dns
{
    /// <summary>One UDP socket on a source port the operating system picks at random, connected to
    /// one server; non-blocking, read by the pool's <see cref="PortReader"/>. Connected, so the kernel delivers only datagrams
    /// from the server's own address and port (RFC 5452's first check), and reports ICMP "port
    /// unreachable" as an error on the socket.</summary>
    internal sealed class UdpPort : IDisposable
    {
        private const int ReceiveBufferBytes = 1024 * 1024;
        private readonly Socket _socket;

        public UdpPort(IPEndPoint server)
        {
            _socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                // A whole window of answers can arrive at once; the default buffer may lose a burst.
                try { _socket.ReceiveBufferSize = ReceiveBufferBytes; } catch (SocketException) { }
                _socket.Connect(server);   // binds to a random ephemeral port
                LocalPort = ((IPEndPoint)_socket.LocalEndPoint).Port;
                _socket.Blocking = false;
            }
            catch
            {
                _socket.Dispose();
                throw;
            }
            Created = Stopwatch.GetTimestamp();
        }

        public Socket Socket => _socket;
        public int LocalPort { get; }
        public long Created { get; }

        // The fields below belong to the owning ServerLink and are used under its lock.
        /// <summary>Queries sent from this port that await an answer, by ID.</summary>
        public readonly Dictionary<ushort, PendingQuery> Pending = new Dictionary<ushort, PendingQuery>();
        public int Sent;
        /// <summary>No new query starts here; the port closes when its last query is done.</summary>
        public bool Retired;

        /// <summary>Sends one datagram. Returns false when the server reported itself unreachable.</summary>
        public bool Send(byte[] packet)
        {
            try
            {
                _socket.Send(packet, 0, packet.Length, SocketFlags.None, out SocketError error);
                // A full send buffer (WouldBlock) or any other error but "unreachable": the
                // retransmission timer recovers.
                return !IsUnreachable(error);
            }
            catch (ObjectDisposedException)
            {
                return true;   // closing; the query is finished by whoever closed it
            }
        }

        /// <summary>Reads one waiting datagram into <paramref name="buffer"/>: its length, or -1 when
        /// none is waiting (or the socket is closed). <paramref name="unreachable"/> is set when the
        /// server's host reported its port closed (ICMP).</summary>
        public int TryReceive(byte[] buffer, out bool unreachable)
        {
            unreachable = false;
            try
            {
                int n = _socket.Receive(buffer, 0, buffer.Length, SocketFlags.None, out SocketError error);
                if (error == SocketError.Success) return n;
                unreachable = IsUnreachable(error);
                return -1;
            }
            catch (ObjectDisposedException)
            {
                return -1;
            }
        }

        // ICMP "port unreachable" on a connected UDP socket: ECONNREFUSED on Linux and macOS,
        // WSAECONNRESET on Windows.
        private static bool IsUnreachable(SocketError error) =>
            error == SocketError.ConnectionRefused || error == SocketError.ConnectionReset;

        public void Dispose()
        {
            try { _socket.Dispose(); } catch (Exception) { }
        }
    }
}

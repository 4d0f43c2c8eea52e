using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading;

namespace MailBlacklist.Engine.Dns
{
    /// <summary>One UDP socket on a source port the operating system picks at random, connected to
    /// one server, with the thread that reads it. Connected, so the kernel delivers only datagrams
    /// from the server's own address and port (RFC 5452's first check), and reports ICMP "port
    /// unreachable" as an error on the socket.</summary>
    internal sealed class UdpPort : IDisposable
    {
        private const int ReceiveBufferBytes = 1024 * 1024;
        private readonly Socket _socket;
        private readonly Action<UdpPort, byte[], int> _onDatagram;
        private readonly Action<UdpPort> _onUnreachable;
        private volatile bool _closed;

        public UdpPort(IPEndPoint server, Action<UdpPort, byte[], int> onDatagram, Action<UdpPort> onUnreachable)
        {
            _onDatagram = onDatagram;
            _onUnreachable = onUnreachable;
            _socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                // A whole window of answers can arrive at once; the default buffer may lose a burst.
                try { _socket.ReceiveBufferSize = ReceiveBufferBytes; } catch (SocketException) { }
                _socket.Connect(server);   // binds to a random ephemeral port
                LocalPort = ((IPEndPoint)_socket.LocalEndPoint).Port;
            }
            catch
            {
                _socket.Dispose();
                throw;
            }
            Created = Stopwatch.GetTimestamp();
            var reader = new Thread(ReadLoop) { IsBackground = true, Name = "MailBlacklist DNS :" + LocalPort };
            reader.Start();
        }

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
                _socket.Send(packet, 0, packet.Length, SocketFlags.None);
                return true;
            }
            catch (SocketException ex) when (IsUnreachable(ex))
            {
                return false;
            }
            catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException)
            {
                // A full send buffer or a closing socket: the retransmission timer recovers.
                return true;
            }
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
                    if (!_closed) _onUnreachable(this);
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
                if (n >= DnsWire.HeaderLength) _onDatagram(this, buffer, n);
            }
        }

        // ICMP "port unreachable" on a connected UDP socket: ECONNREFUSED on Linux and macOS,
        // WSAECONNRESET on Windows.
        private static bool IsUnreachable(SocketException ex) =>
            ex.SocketErrorCode == SocketError.ConnectionRefused || ex.SocketErrorCode == SocketError.ConnectionReset;

        public void Dispose()
        {
            _closed = true;
            try { _socket.Dispose(); } catch (Exception) { }
        }
    }
}

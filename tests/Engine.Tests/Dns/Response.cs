using System;
using System.Collections.Generic;
using System.Text;
using MailBlacklist.Engine.Dns;

namespace MailBlacklist.Engine.Tests.Dns
{
    /// <summary>Writes DNS responses byte by byte (RFC 1035 4.1) from a query DnsWire built, so the
    /// parser meets the shapes servers send: compression pointers, several character-strings, an
    /// authority SOA, the TC bit, a missing question.</summary>
    internal sealed class Response
    {
        private readonly List<byte> _bytes;
        private int _answers, _authority;

        /// <summary>Starts from the query: same ID and question, QR set, RA set, the given RCODE.</summary>
        public Response(byte[] query, int rcode = 0, bool truncated = false, bool authoritative = false)
        {
            _bytes = new List<byte>(query);
            _bytes[2] = (byte)(0x80 | (authoritative ? 0x04 : 0) | (truncated ? 0x02 : 0) | (query[2] & 0x01));
            _bytes[3] = (byte)(0x80 | rcode);
        }

        /// <summary>A pointer to the question name, at offset 12, as nearly every server writes it.</summary>
        public static byte[] QuestionPointer => new byte[] { 0xC0, 0x0C };

        public static byte[] Name(string name)
        {
            var b = new List<byte>();
            foreach (string label in name.TrimEnd('.').Split('.'))
            {
                if (label.Length == 0) continue;
                b.Add((byte)label.Length);
                b.AddRange(Encoding.ASCII.GetBytes(label));
            }
            b.Add(0);
            return b.ToArray();
        }

        public Response Answer(byte[] owner, DnsRecordType type, uint ttl, byte[] rdata)
        {
            Record(owner, (int)type, ttl, rdata);
            _answers++;
            return this;
        }

        /// <summary>An SOA in the authority section, with the given TTL and MINIMUM.</summary>
        public Response Soa(byte[] owner, uint ttl, uint minimum)
        {
            var rdata = new List<byte>();
            rdata.AddRange(Name("ns.example.test"));
            rdata.AddRange(Name("hostmaster.example.test"));
            foreach (uint v in new uint[] { 1, 3600, 600, 86400, minimum }) rdata.AddRange(U32(v));
            Record(owner, (int)DnsRecordType.Soa, ttl, rdata.ToArray());
            _authority++;
            return this;
        }

        public byte[] ToArray()
        {
            var m = _bytes.ToArray();
            m[6] = (byte)(_answers >> 8); m[7] = (byte)_answers;
            m[8] = (byte)(_authority >> 8); m[9] = (byte)_authority;
            return m;
        }

        public static byte[] Txt(params string[] strings)
        {
            var b = new List<byte>();
            foreach (string s in strings) { var t = Encoding.UTF8.GetBytes(s); b.Add((byte)t.Length); b.AddRange(t); }
            return b.ToArray();
        }

        public static byte[] Mx(ushort preference, byte[] exchange)
        {
            var b = new List<byte> { (byte)(preference >> 8), (byte)preference };
            b.AddRange(exchange);
            return b.ToArray();
        }

        public static byte[] U32(uint v) => new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v };

        private void Record(byte[] owner, int type, uint ttl, byte[] rdata)
        {
            _bytes.AddRange(owner);
            _bytes.Add((byte)(type >> 8)); _bytes.Add((byte)type);
            _bytes.Add(0); _bytes.Add(1);                          // class IN
            _bytes.AddRange(U32(ttl));
            _bytes.Add((byte)(rdata.Length >> 8)); _bytes.Add((byte)rdata.Length);
            _bytes.AddRange(rdata);
        }
    }
}

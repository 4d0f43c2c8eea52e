using System.Text;

namespace MailBlacklist.Engine.Dns
{
    /// <summary>The DNS message format (RFC 1035) for the few questions blocklist lookups ask: one
    /// question, and A, AAAA, TXT, MX, PTR, NS, CNAME and SOA answers. Parsing never throws; a malformed message
    /// is an OtherError outcome.</summary>
    internal static class DnsWire
    {
        public const int HeaderLength = 12;
        public const int MaxUdpLength = 512;

        /// <summary>Writes a standard query, with recursion desired unless it goes to a zone's own
        /// server. Returns null for a name that cannot be encoded (empty label, label over 63 bytes,
        /// name over 255 bytes, non-ASCII).</summary>
        public static byte[] BuildQuery(ushort id, string name, DnsRecordType type, bool recursionDesired = true)
        {
            string n = name.EndsWith(".", StringComparison.Ordinal) ? name.Substring(0, name.Length - 1) : name;
            if (n.Length > 253 || (n.Length == 0 && name != ".")) return null;
            var packet = new byte[HeaderLength + n.Length + (n.Length == 0 ? 1 : 2) + 4];
            packet[0] = (byte)(id >> 8);
            packet[1] = (byte)id;
            packet[2] = (byte)(recursionDesired ? 0x01 : 0x00);   // RD
            packet[5] = 1;                    // QDCOUNT
            int pos = HeaderLength;
            int labelStart = 0;
            for (int i = 0; n.Length > 0 && i <= n.Length; i++)
            {
                if (i < n.Length && n[i] != '.') continue;
                int len = i - labelStart;
                if (len == 0 || len > 63) return null;
                packet[pos++] = (byte)len;
                for (int j = labelStart; j < i; j++)
                {
                    char c = n[j];
                    if (c > 0x7E || c <= 0x20) return null;
                    packet[pos++] = (byte)c;
                }
                labelStart = i + 1;
            }
            packet[pos++] = 0;
            packet[pos++] = (byte)((int)type >> 8);
            packet[pos++] = (byte)type;
            packet[pos++] = 0;
            packet[pos++] = 1;                // class IN
            return packet;
        }

        public static ushort ReadId(byte[] m) => (ushort)(m[0] << 8 | m[1]);

        /// <summary>True when <paramref name="m"/> is a standard response whose one question is
        /// exactly the one asked (name compared case-insensitively, type, class IN). RFC 5452: a
        /// response without a question section is never taken, whatever its RCODE, since anyone who
        /// guesses the ID could otherwise forge "does not exist".</summary>
        public static bool MatchesQuestion(byte[] m, int length, string name, DnsRecordType type)
        {
            if (length < HeaderLength || (m[2] & 0x80) == 0) return false;            // QR
            if ((m[2] & 0x78) != 0) return false;                                      // OPCODE QUERY
            if ((m[4] << 8 | m[5]) != 1) return false;                                 // QDCOUNT
            int pos = HeaderLength;
            if (!NameEquals(m, length, ref pos, name)) return false;
            if (pos + 4 > length) return false;
            return (m[pos] << 8 | m[pos + 1]) == (int)type && (m[pos + 2] << 8 | m[pos + 3]) == 1;
        }

        public static bool IsTruncated(byte[] m) => (m[2] & 0x02) != 0;

        /// <summary>Reads a response already matched to its question into an answer.</summary>
        public static DnsAnswer Parse(byte[] m, int length, DnsRecordType type, TimeSpan elapsed, string server)
        {
            int rcode = m[3] & 0x0F;
            try
            {
                int qd = m[4] << 8 | m[5], an = m[6] << 8 | m[7], ns = m[8] << 8 | m[9];
                if (qd != 1) return AnswerBuilder.Malformed(rcode, elapsed, server);
                int pos = HeaderLength;
                // The question's text only serves to follow the answer records (NXDOMAIN, the
                // common answer of a blocklist, has none): not built for nothing.
                string qname = null;
                if (an > 0) qname = ReadName(m, length, ref pos);
                else SkipName(m, length, ref pos);
                pos += 4;
                if (pos > length) return AnswerBuilder.Malformed(rcode, elapsed, server);

                var rrs = new List<WireRecord>(an);
                for (int i = 0; i < an; i++)
                {
                    string owner = ReadName(m, length, ref pos);
                    if (pos + 10 > length) return AnswerBuilder.Malformed(rcode, elapsed, server);
                    var rrType = (DnsRecordType)(m[pos] << 8 | m[pos + 1]);
                    int rrClass = m[pos + 2] << 8 | m[pos + 3];
                    int ttl = ReadTtl(m, pos + 4);
                    int rdLength = m[pos + 8] << 8 | m[pos + 9];
                    pos += 10;
                    int end = pos + rdLength;
                    if (end > length) return AnswerBuilder.Malformed(rcode, elapsed, server);
                    // Only an answer that will be read needs its data decoded.
                    if (rrClass == 1 && rcode == 0)
                    {
                        string data = ReadData(m, length, pos, rdLength, rrType);
                        int preference = rrType == DnsRecordType.Mx ? m[pos] << 8 | m[pos + 1] : 0;
                        if (data != null) rrs.Add(new WireRecord(owner, rrType, ttl, data, preference));
                    }
                    pos = end;
                }
                var authority = rcode == 0 || rcode == 3 ? ReadAuthority(m, length, pos, ns) : default;
                bool authoritative = (m[2] & 0x04) != 0;   // AA
                bool referral = AnswerBuilder.IsReferral(an, authority.HasSoa, authority.HasNs, authoritative);
                return AnswerBuilder.Build(qname, type, rcode, rrs, authority.NegativeTtl, elapsed, server, referral, authoritative);
            }
            catch (FormatException)
            {
                return AnswerBuilder.Malformed(rcode, elapsed, server);
            }
        }

        // RFC 2181 8: a TTL with the top bit set counts as zero.
        private static int ReadTtl(byte[] m, int pos)
        {
            uint v = (uint)(m[pos] << 24 | m[pos + 1] << 16 | m[pos + 2] << 8 | m[pos + 3]);
            return v > int.MaxValue ? 0 : (int)v;
        }

        private static string ReadData(byte[] m, int length, int pos, int rdLength, DnsRecordType rrType)
        {
            switch (rrType)
            {
                case DnsRecordType.A:
                    if (rdLength != 4) throw new FormatException();
                    return m[pos].ToString(CultureInfo.InvariantCulture) + "." + m[pos + 1].ToString(CultureInfo.InvariantCulture) + "." +
                           m[pos + 2].ToString(CultureInfo.InvariantCulture) + "." + m[pos + 3].ToString(CultureInfo.InvariantCulture);
                case DnsRecordType.Aaaa:
                    if (rdLength != 16) throw new FormatException();
                    var bytes = new byte[16];
                    Buffer.BlockCopy(m, pos, bytes, 0, 16);
                    return new System.Net.IPAddress(bytes).ToString();
                case DnsRecordType.Txt:
                {
                    // One or more <character-string>s, joined as DnsClient's Text did.
                    var sb = new StringBuilder(rdLength);
                    int end = pos + rdLength;
                    while (pos < end)
                    {
                        int len = m[pos++];
                        if (pos + len > end) throw new FormatException();
                        sb.Append(Encoding.UTF8.GetString(m, pos, len));
                        pos += len;
                    }
                    return sb.ToString();
                }
                case DnsRecordType.Mx:
                {
                    if (rdLength < 3) throw new FormatException();
                    int p = pos + 2;
                    return ReadName(m, length, ref p);
                }
                case DnsRecordType.Cname:
                case DnsRecordType.Ns:
                case DnsRecordType.Ptr:
                {
                    int p = pos;
                    return ReadName(m, length, ref p);
                }
                case DnsRecordType.Soa:
                {
                    int p = pos;
                    string mname = ReadName(m, length, ref p);
                    string rname = ReadName(m, length, ref p);
                    return mname + " " + rname;
                }
                default:
                    return null;
            }
        }

        private struct Authority
        {
            public int NegativeTtl;
            public bool HasSoa, HasNs;
        }

        // The SOA in the authority section, if any, gives the negative TTL (RFC 2308 5); NS records
        // without an SOA mark a referral.
        private static Authority ReadAuthority(byte[] m, int length, int pos, int nsCount)
        {
            var result = new Authority();
            for (int i = 0; i < nsCount; i++)
            {
                SkipName(m, length, ref pos);
                if (pos + 10 > length) throw new FormatException();
                int rrType = m[pos] << 8 | m[pos + 1];
                int ttl = ReadTtl(m, pos + 4);
                int rdLength = m[pos + 8] << 8 | m[pos + 9];
                pos += 10;
                int end = pos + rdLength;
                if (end > length) throw new FormatException();
                if (rrType == (int)DnsRecordType.Ns) result.HasNs = true;
                if (rrType == (int)DnsRecordType.Soa && !result.HasSoa)
                {
                    int p = pos;
                    SkipName(m, length, ref p);
                    SkipName(m, length, ref p);
                    if (p + 20 > end) throw new FormatException();
                    result.HasSoa = true;
                    result.NegativeTtl = AnswerBuilder.NegativeTtl(ttl, ReadTtl(m, p + 16));
                }
                pos = end;
            }
            return result;
        }

        /// <summary>Skips a possibly compressed name; <paramref name="pos"/> ends after it.</summary>
        private static void SkipName(byte[] m, int length, ref int pos)
        {
            while (true)
            {
                if (pos >= length) throw new FormatException();
                int len = m[pos];
                if ((len & 0xC0) == 0xC0) { pos += 2; if (pos > length) throw new FormatException(); return; }
                if ((len & 0xC0) != 0) throw new FormatException();
                pos += 1 + len;
                if (len == 0) return;
            }
        }

        /// <summary>Reads a possibly compressed name as dotted lower-case text without the final dot,
        /// in presentation form.</summary>
        private static string ReadName(byte[] m, int length, ref int pos)
        {
            var sb = new StringBuilder(64);
            int p = pos, jumps = 0;
            bool jumped = false;
            while (true)
            {
                if (p >= length) throw new FormatException();
                int len = m[p];
                if ((len & 0xC0) == 0xC0)
                {
                    if (p + 1 >= length || ++jumps > 64) throw new FormatException();
                    if (!jumped) { pos = p + 2; jumped = true; }
                    p = (len & 0x3F) << 8 | m[p + 1];
                    continue;
                }
                if ((len & 0xC0) != 0) throw new FormatException();
                if (len == 0)
                {
                    if (!jumped) pos = p + 1;
                    break;
                }
                if (p + 1 + len > length) throw new FormatException();
                if (sb.Length > 0) sb.Append('.');
                for (int i = p + 1; i <= p + len; i++)
                {
                    char c = (char)m[i];
                    // Presentation form (RFC 4343), as DnsClient.NET gives names: a control byte
                    // never leaves here raw, and such a name cannot be asked for by mistake.
                    if (c <= 0x20 || c > 0x7E) sb.Append('\\').Append(((int)c).ToString("D3", CultureInfo.InvariantCulture));
                    else if (c == '.' || c == '\\') sb.Append('\\').Append(c);
                    else sb.Append(c >= 'A' && c <= 'Z' ? (char)(c + 32) : c);
                }
                p += 1 + len;
                if (sb.Length > 255) throw new FormatException();
            }
            return sb.ToString();
        }

        /// <summary>Compares the name at <paramref name="pos"/> (uncompressed, as in a question) with
        /// <paramref name="name"/>, ignoring ASCII case and a final dot.</summary>
        private static bool NameEquals(byte[] m, int length, ref int pos, string name)
        {
            int n = name.Length;
            if (n > 0 && name[n - 1] == '.') n--;
            int i = 0;
            while (true)
            {
                if (pos >= length) return false;
                int len = m[pos++];
                if (len == 0) return i >= n;
                if ((len & 0xC0) != 0) return false;
                if (i > 0) { if (i >= n || name[i] != '.') return false; i++; }
                if (pos + len > length || i + len > n) return false;
                for (int k = 0; k < len; k++)
                {
                    int a = m[pos + k], b = name[i + k];
                    if (a >= 'A' && a <= 'Z') a += 32;
                    if (b >= 'A' && b <= 'Z') b += 32;
                    if (a != b) return false;
                }
                pos += len;
                i += len;
            }
        }
    }
}

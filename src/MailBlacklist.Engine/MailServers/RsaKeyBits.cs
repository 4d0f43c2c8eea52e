namespace MailBlacklist.Engine.MailServers
{
    /// <summary>The modulus length of an RSA public key in DER: SubjectPublicKeyInfo (what DKIM's p=
    /// holds, RFC 6376 3.6.1) or a bare PKCS#1 RSAPublicKey (which some signers publish). A small
    /// reader of the few DER elements involved, so that the engine needs no crypto library for it.</summary>
    internal static class RsaKeyBits
    {
        public static int Of(byte[] der)
        {
            try
            {
                int pos = 0;
                if (!Read(der, ref pos, 0x30, out int len)) return 0;
                int inner = pos;
                // SubjectPublicKeyInfo: SEQUENCE { SEQUENCE algorithm, BIT STRING key }.
                if (der[pos] == 0x30)
                {
                    if (!Read(der, ref pos, 0x30, out int algLen)) return 0;
                    pos += algLen;
                    if (!Read(der, ref pos, 0x03, out _)) return 0;
                    pos++;   // unused-bits byte
                    if (!Read(der, ref pos, 0x30, out _)) return 0;
                }
                else pos = inner;
                // RSAPublicKey: SEQUENCE { INTEGER modulus, INTEGER exponent }.
                if (!Read(der, ref pos, 0x02, out int modLen)) return 0;
                while (modLen > 0 && der[pos] == 0) { pos++; modLen--; }
                if (modLen == 0) return 0;
                int bits = modLen * 8, top = der[pos];
                while ((top & 0x80) == 0) { bits--; top <<= 1; }
                return bits;
            }
            catch (IndexOutOfRangeException) { return 0; }
        }

        private static bool Read(byte[] der, ref int pos, byte tag, out int length)
        {
            length = 0;
            if (pos >= der.Length || der[pos++] != tag) return false;
            int first = der[pos++];
            if (first < 0x80) length = first;
            else
            {
                int count = first & 0x7F;
                if (count == 0 || count > 3) return false;
                for (int i = 0; i < count; i++) length = (length << 8) | der[pos++];
            }
            return pos + length <= der.Length;
        }
    }
}

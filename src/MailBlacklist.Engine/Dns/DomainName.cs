namespace MailBlacklist.Engine.Dns
{
    public static class DomainName
    {
        private static readonly IdnMapping Idn = new IdnMapping();

        /// <summary>Lower-case ASCII (punycode) form without the trailing dot, or null when the text
        /// is not a usable domain name.</summary>
        public static string Normalize(string text)
        {
            if (string.IsNullOrWhiteSpace(text)) return null;
            string name = text.Trim().TrimEnd('.');
            if (name.Length == 0) return null;
            try { name = Idn.GetAscii(name); }
            catch (ArgumentException) { return null; }
            name = name.ToLowerInvariant();
            return IsValidHostName(name) ? name : null;
        }

        /// <summary>LDH labels (underscore allowed for service names), 1-63 characters each, at most 253 in all.</summary>
        public static bool IsValidHostName(string name)
        {
            if (string.IsNullOrEmpty(name) || name.Length > 253) return false;
            foreach (string label in name.Split('.'))
            {
                if (label.Length == 0 || label.Length > 63) return false;
                if (label[0] == '-' || label[label.Length - 1] == '-') return false;
                foreach (char c in label)
                {
                    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
                    if (!ok) return false;
                }
            }
            return true;
        }
    }
}

namespace MailBlacklist.Engine.Diagnosis
{
    /// <summary>The signing domain (d=) and selector (s=) of a DKIM-Signature header (RFC 6376 3.5).</summary>
    public sealed class DkimSignature
    {
        public string Domain { get; private set; }
        public string Selector { get; private set; }

        /// <summary>The d= and s= of a header value; null when either is missing or not a name.</summary>
        public static DkimSignature Parse(string headerValue)
        {
            string d = null, s = null;
            foreach (string part in (headerValue ?? string.Empty).Split(';'))
            {
                int eq = part.IndexOf('=');
                if (eq <= 0) continue;
                string name = part.Substring(0, eq).Trim();
                string value = string.Concat(part.Substring(eq + 1).Split((char[])null, StringSplitOptions.RemoveEmptyEntries));
                if (name == "d" && d == null) d = Dns.DomainName.Normalize(value);
                else if (name == "s" && s == null) s = value.ToLowerInvariant();
            }
            if (string.IsNullOrEmpty(d) || string.IsNullOrEmpty(s) || s.IndexOfAny(new[] { '/', '\\', ' ' }) >= 0) return null;
            return new DkimSignature { Domain = d, Selector = s };
        }
    }
}

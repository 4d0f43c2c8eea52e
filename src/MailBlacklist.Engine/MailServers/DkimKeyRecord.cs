using MailBlacklist.Engine.Dns;

namespace MailBlacklist.Engine.MailServers
{
    public enum DkimKeyStatus { Found, Missing, Invalid, DnsFailure }

    /// <summary>A DKIM key record at &lt;selector&gt;._domainkey.&lt;domain&gt; (RFC 6376 3.6.1): found
    /// and usable, missing, present but unusable (no v=DKIM1 first, no p=, an empty p= that revokes
    /// the key, a key that does not decode, an RSA key under 1024 bits), or not known (DNS failure).</summary>
    public sealed class DkimKeyRecord
    {
        /// <summary>Receivers treat RSA keys below this as no key (RFC 8301 3.2).</summary>
        public const int MinimumRsaBits = 1024;

        public string Selector { get; private set; }
        public string Domain { get; private set; }
        public string Name => Selector + "._domainkey." + Domain;
        public DkimKeyStatus Status { get; private set; }
        public DnsOutcome Outcome { get; private set; }
        public string Text { get; private set; } = string.Empty;
        /// <summary>k= (rsa when absent).</summary>
        public string KeyType { get; private set; } = "rsa";
        /// <summary>Key length in bits (RSA modulus; 256 for ed25519); 0 when unknown.</summary>
        public int Bits { get; private set; }
        /// <summary>Why an Invalid record is unusable, in English words of the RFC (p= empty, ...).</summary>
        public string Problem { get; private set; } = string.Empty;

        public static async Task<DkimKeyRecord> LookupAsync(QueryService queries, string selector, string domain, CancellationToken ct)
        {
            var key = new DkimKeyRecord { Selector = selector, Domain = domain };
            var answer = await queries.QueryAsync(key.Name, DnsRecordType.Txt, ct).ConfigureAwait(false);
            key.Outcome = answer.Outcome;
            if (!answer.IsDefinite) { key.Status = DkimKeyStatus.DnsFailure; return key; }
            var texts = answer.Texts.Where(t => !string.IsNullOrWhiteSpace(t)).ToList();
            if (texts.Count == 0) { key.Status = DkimKeyStatus.Missing; return key; }
            key.Text = texts[0].Trim();
            key.Parse();
            return key;
        }

        private void Parse()
        {
            var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var order = new List<string>();
            foreach (string part in Text.Split(';'))
            {
                int eq = part.IndexOf('=');
                if (eq <= 0) continue;
                string name = part.Substring(0, eq).Trim();
                order.Add(name);
                if (!tags.ContainsKey(name)) tags[name] = string.Concat(part.Substring(eq + 1).Where(c => !char.IsWhiteSpace(c)));
            }
            Status = DkimKeyStatus.Invalid;
            // v= is optional, but when present it must be the first tag and say DKIM1.
            if (tags.TryGetValue("v", out var v) && (!string.Equals(v, "DKIM1", StringComparison.Ordinal) || order[0] != "v")) { Problem = "v=" + v; return; }
            if (tags.TryGetValue("k", out var k) && k.Length > 0) KeyType = k.ToLowerInvariant();
            if (!tags.TryGetValue("p", out var p)) { Problem = "no p="; return; }
            if (p.Length == 0) { Problem = "p= empty (key revoked)"; return; }
            byte[] der;
            try { der = Convert.FromBase64String(p); }
            catch (FormatException) { Problem = "p= is not base64"; return; }
            if (KeyType == "ed25519")
            {
                if (der.Length != 32) { Problem = "ed25519 key of " + der.Length + " bytes"; return; }
                Bits = 256;
            }
            else if (KeyType == "rsa")
            {
                Bits = RsaKeyBits.Of(der);
                if (Bits == 0) { Problem = "p= is no RSA public key"; return; }
                if (Bits < MinimumRsaBits) { Problem = "RSA key of " + Bits + " bits"; return; }
            }
            else { Problem = "k=" + KeyType; return; }
            Status = DkimKeyStatus.Found;
        }
    }
}

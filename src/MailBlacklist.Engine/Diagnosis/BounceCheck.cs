using System.Text.RegularExpressions;
using MailBlacklist.Engine.MailServers;

namespace MailBlacklist.Engine.Diagnosis
{
    /// <summary>What the receiver said: one Bounce finding per failed recipient (cause by the
    /// diagnosis rules), the sender the bounce shows, and which of its addresses is the sending
    /// server's (AddressRoles).</summary>
    internal sealed class BounceCheck
    {
        private readonly DiagnosisRules _rules;
        private readonly MxLookup _mx;

        public BounceCheck(DiagnosisRules rules, MxLookup mx) => (_rules, _mx) = (rules, mx);

        /// <summary>Adds the Bounce findings; returns the causes (in order) and the sender, the one
        /// that shows an address when any does.</summary>
        public (List<string> Causes, BounceSender Sender) Conclude(FindingList findings, IReadOnlyList<BounceReason> bounces)
        {
            var causes = new List<string>();
            BounceSender sender = null;
            foreach (var bounce in bounces ?? new BounceReason[0])
            {
                var rule = _rules.Match(bounce);
                causes.Add(rule.Cause);
                var finding = findings.Add(CheckNames.Bounce, FindingList.FirstOf(bounce.Recipient, findings.Label), rule.Cause, Evidence(bounce),
                    rule.Severity, FindingList.FirstOf(bounce.Url, rule.Url));
                // One cause can have receiver-specific fixes (Microsoft 365's portal vs Outlook.com's form).
                if (!string.IsNullOrEmpty(rule.Fix)) finding.Fix = findings.T("Fix_" + rule.Fix);
                var s = BounceSender.From(bounce);
                if (sender == null || (sender.Address == null && s.Address != null)) sender = s;
            }
            return (causes, sender);
        }

        /// <summary>The sending server's address among the bounce's addresses, with the role of each
        /// address appended to the first Bounce finding's evidence.</summary>
        public async Task<RoledAddress> SendingAddressAsync(FindingList findings, IReadOnlyList<BounceReason> bounces, BounceSender sender, CancellationToken ct)
        {
            if (bounces == null || bounces.Count == 0) return null;
            var roles = AddressRoles.Classify(bounces, sender?.HumanText.Length > 0 ? new[] { sender.HumanText } : null);
            await AddressRoles.DemoteReceiversAsync(roles, bounces, _mx, ct).ConfigureAwait(false);
            var first = findings.Items.FirstOrDefault(f => f.Check == CheckNames.Bounce);
            if (first != null && roles.Count > 0)
                first.Evidence += SafeText.Neutralize(" | " + string.Join("; ", roles.Select(r => findings.T("Diagnosis_Ev_Role" + r.Role, r.Address, r.Why))));
            return AddressRoles.Sending(roles);
        }

        private static string Evidence(BounceReason b)
        {
            // The label follows the bounce's own class: a delay notice is a delay, whatever words it uses.
            var parts = new List<string> { string.Equals(b.Action, "delayed", StringComparison.OrdinalIgnoreCase) ? "Delayed" : b.Reason };
            if (!string.IsNullOrEmpty(b.Status)) parts.Add(b.Status);
            if (!string.IsNullOrEmpty(b.ProviderCode) && b.ProviderCode != b.Status) parts.Add(b.ProviderCode);
            if (!string.IsNullOrEmpty(b.Blocklist)) parts.Add(b.Blocklist);
            string text = Regex.Replace(b.DiagnosticText ?? string.Empty, @"\s+", " ").Trim();
            if (text.Length > 400) text = text.Substring(0, 400) + "...";
            return string.Join(" ", parts) + (text.Length > 0 ? ": " + text : string.Empty);
        }
    }
}

using System.IO;
using System.Runtime.Serialization;
using System.Text.RegularExpressions;

namespace MailBlacklist.Engine.Bounces
{
    /// <summary>The classification data (Data/bounce-rules.json, embedded in the DLL): ordered phrase
    /// rules, status-code tables and the patterns that pull evidence out of the text. Keeping them as
    /// data means a new receiver's wording is a one-line change that a reviewer can read.</summary>
    [DataContract]
    public sealed class BounceRules
    {
        [DataMember(Name = "reasons")] public List<ReasonInfo> Reasons { get; set; }
        [DataMember(Name = "aliases")] public Dictionary<string, string[]> Aliases { get; set; }
        [DataMember(Name = "rules")] public List<PhraseRule> Rules { get; set; }
        [DataMember(Name = "commands")] public Dictionary<string, string[]> Commands { get; set; }
        /// <summary>What a permanent refusal means when only the command it answered is known.</summary>
        [DataMember(Name = "commandReasons")] public Dictionary<string, string> CommandReasons { get; set; }
        [DataMember(Name = "overrides")] public List<Override> Overrides { get; set; }
        [DataMember(Name = "statusCodes")] public Dictionary<string, string> StatusCodes { get; set; }
        [DataMember(Name = "statusClasses")] public Dictionary<string, string> StatusClasses { get; set; }
        [DataMember(Name = "replyCodes")] public Dictionary<string, string> ReplyCodes { get; set; }
        /// <summary>RFC 3463 subject.detail of a reason, for messages that give no code.</summary>
        [DataMember(Name = "reasonStatus")] public Dictionary<string, string> ReasonStatus { get; set; }
        /// <summary>Words that state an RFC 3463 condition outright, for messages that give no code.</summary>
        [DataMember(Name = "statusWords")] public Dictionary<string, string> StatusWords { get; set; }
        internal List<KeyValuePair<string, TieredRegex>> StatusWordRegexes { get; private set; }
        /// <summary>Reasons whose words beat even a strong status code (a full mailbox reported with 5.1.1).</summary>
        [DataMember(Name = "phraseBeatsStatus")] public List<string> PhraseBeatsStatus { get; set; }
        [DataMember(Name = "strongStatusCodes")] public List<string> StrongStatusCodes { get; set; }
        [DataMember(Name = "evidence")] public EvidenceRules Evidence { get; set; }
        /// <summary>Receivers' own block lists that have their own removal path: a provider code
        /// pattern and the Fix_ text suffix to use instead of the reason's generic one.</summary>
        [DataMember(Name = "providerFixes")] public List<ProviderFix> ProviderFixes { get; set; }

        /// <summary>The Fix_ suffix for a receiver's own code (S3150, 5.7.606), or null.</summary>
        public string FixForProviderCode(string code)
        {
            if (string.IsNullOrEmpty(code)) return null;
            foreach (var f in ProviderFixes ?? new List<ProviderFix>())
            {
                try { if (System.Text.RegularExpressions.Regex.IsMatch(code, f.Pattern, System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100))) return f.Fix; }
                catch (System.Text.RegularExpressions.RegexMatchTimeoutException) { }
            }
            return null;
        }

        private static readonly Lazy<BounceRules> Shipped = new Lazy<BounceRules>(LoadShipped);

        /// <summary>The rules embedded in the engine.</summary>
        public static BounceRules Default => Shipped.Value;

        public static BounceRules Load(Stream stream)
        {
            var rules = JsonData.Read<BounceRules>(stream);
            if (rules?.Rules == null || rules.Reasons == null) throw new InvalidDataException("bounce rules: no rules");
            rules.Compile();
            return rules;
        }

        private static BounceRules LoadShipped()
        {
            using (var stream = typeof(BounceRules).Assembly.GetManifestResourceStream("MailBlacklist.Engine.Data.bounce-rules.json"))
                return Load(stream);
        }

        /// <summary>Every reason this module can report, in the data file's order.</summary>
        public string[] ReasonNames => Reasons.Select(r => r.Name).ToArray();

        public bool IsHard(string reason) => Reasons.Any(r => r.Name == reason && r.Hard);

        /// <summary>True when two reason names mean the same (sisimai 5.5 merged some names).</summary>
        public bool SameReason(string a, string b) =>
            Expand(a).Intersect(Expand(b), StringComparer.OrdinalIgnoreCase).Any();

        /// <summary>True when both names fall under one sisimai 5.5 name (MesgTooBig and ExceedLimit).</summary>
        public bool SameFamily(string a, string b) =>
            string.Equals(a, b, StringComparison.OrdinalIgnoreCase)
            || (Aliases ?? new Dictionary<string, string[]>()).Values.Any(v => v.Contains(a, StringComparer.OrdinalIgnoreCase) && v.Contains(b, StringComparer.OrdinalIgnoreCase));

        // RateLimited means TooManyConn or Speeding, EmailTooLarge means ExceedLimit or MesgTooBig.
        private IEnumerable<string> Expand(string name)
        {
            foreach (var alias in Aliases ?? new Dictionary<string, string[]>())
                if (string.Equals(alias.Key, name, StringComparison.OrdinalIgnoreCase)) return alias.Value;
            return new[] { name ?? string.Empty };
        }

        internal List<KeyValuePair<string, PhraseMatcher>> CommandRegexes { get; private set; }

        /// <summary>The SMTP command the receiver answered (DATA, RCPT, MAIL, HELO, CONN), or null.</summary>
        public string FindCommand(params string[] texts)
        {
            foreach (string text in texts)
            {
                if (string.IsNullOrEmpty(text)) continue;
                string command = CommandIn(text);
                if (command != null) return command;
            }
            return null;
        }

        // The message body is asked about once per recipient: remember the last answers (per thread).
        [ThreadStatic] private static RecentAnswers _recentCommands;

        private string CommandIn(string text)
        {
            var recent = _recentCommands ?? (_recentCommands = new RecentAnswers());
            if (recent.TryGet(this, text, 0, out string known)) return known;
            string found = null;
            foreach (var c in CommandRegexes)
            {
                if (c.Value.IsMatch(text)) { found = c.Key; break; }
            }
            recent.Add(this, text, 0, found);
            return found;
        }

        public string ApplyOverrides(string reason, string status, string command, string text, string action, string reply = null)
        {
            foreach (var o in Overrides) if (o.Applies(reason, status, command, text, action, reply)) return o.To;
            return reason;
        }

        internal const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
        // A pathological message must not make a pattern run for ever; but the limit is wall-clock
        // time, and on a loaded machine (JIT, a descheduled thread) 250 ms was hit by ordinary text
        // and silently skipped a rule, so it is as generous as the body scans' limit.
        internal static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);

        private void Compile()
        {
            foreach (var rule in Rules)
                rule.Matcher = new PhraseMatcher(rule.Patterns, Options, MatchTimeout);
            Evidence?.Compile();
            CommandRegexes = (Commands ?? new Dictionary<string, string[]>())
                .Select(c => new KeyValuePair<string, PhraseMatcher>(c.Key, new PhraseMatcher(c.Value, Options, MatchTimeout))).ToList();
            Overrides = Overrides ?? new List<Override>();
            foreach (var o in Overrides)
            {
                o.StatusRegex = string.IsNullOrEmpty(o.Status) ? null : new TieredRegex(o.Status, Options, MatchTimeout);
                o.TextRegex = string.IsNullOrEmpty(o.Text) ? null : new TieredRegex(o.Text, Options, MatchTimeout);
                // Reply was matched case-sensitively: keep that.
                o.ReplyRegex = string.IsNullOrEmpty(o.Reply) ? null : new TieredRegex(o.Reply, RegexOptions.CultureInvariant, MatchTimeout);
                o.Reasons = new HashSet<string>((o.Reason ?? string.Empty).Split('|'));
                o.Commands = string.IsNullOrEmpty(o.Command) ? null : new HashSet<string>(o.Command.Split('|'));
                o.NotCommands = string.IsNullOrEmpty(o.NotCommand) ? null : new HashSet<string>(o.NotCommand.Split('|'));
            }
            StrongStatusCodes = StrongStatusCodes ?? new List<string>();
            PhraseBeatsStatus = PhraseBeatsStatus ?? new List<string>();
            StatusCodes = StatusCodes ?? new Dictionary<string, string>();
            StatusClasses = StatusClasses ?? new Dictionary<string, string>();
            ReplyCodes = ReplyCodes ?? new Dictionary<string, string>();
            CommandReasons = CommandReasons ?? new Dictionary<string, string>();
            ReasonStatus = ReasonStatus ?? new Dictionary<string, string>();
            StatusWordRegexes = (StatusWords ?? new Dictionary<string, string>()).Where(w => !w.Key.StartsWith("_"))
                .Select(w => new KeyValuePair<string, TieredRegex>(w.Key, new TieredRegex(w.Value, Options, MatchTimeout))).ToList();
        }
    }

    /// <summary>Turns one reason into another under a condition, e.g. "user unknown" said after DATA
    /// is a filter's verdict on the message, not a missing mailbox.</summary>
    [DataContract]
    public sealed class Override
    {
        [DataMember(Name = "reason")] public string Reason { get; set; }
        [DataMember(Name = "status")] public string Status { get; set; }
        [DataMember(Name = "command")] public string Command { get; set; }
        [DataMember(Name = "text")] public string Text { get; set; }
        [DataMember(Name = "action")] public string Action { get; set; }
        [DataMember(Name = "reply")] public string Reply { get; set; }
        [DataMember(Name = "notCommand")] public string NotCommand { get; set; }
        [DataMember(Name = "to")] public string To { get; set; }
        internal TieredRegex StatusRegex { get; set; }
        internal TieredRegex TextRegex { get; set; }
        internal TieredRegex ReplyRegex { get; set; }
        // Reason and Command split once at load, not on every message.
        internal HashSet<string> Reasons { get; set; }
        internal HashSet<string> Commands { get; set; }
        internal HashSet<string> NotCommands { get; set; }

        internal bool Applies(string reason, string status, string command, string text, string action, string reply) =>
            reason != null && Reasons.Contains(reason)
            && (ReplyRegex == null || ReplyRegex.IsMatch(reply ?? string.Empty))
            && (string.IsNullOrEmpty(Action) || string.Equals(Action, action, StringComparison.OrdinalIgnoreCase))
            && (TextRegex == null || TextRegex.IsMatch(text ?? string.Empty))
            && (StatusRegex == null || StatusRegex.IsMatch(status ?? string.Empty))
            && (Commands == null || (command != null && Commands.Contains(command)))
            && (NotCommands == null || command == null || !NotCommands.Contains(command));
    }

    [DataContract]
    public sealed class ReasonInfo
    {
        [DataMember(Name = "name")] public string Name { get; set; }
        /// <summary>Retrying the same address cannot succeed.</summary>
        [DataMember(Name = "hard")] public bool Hard { get; set; }
    }

    [DataContract]
    public sealed class PhraseRule
    {
        /// <summary>Optional name, for rules that must run before the main list of their reason.</summary>
        [DataMember(Name = "id")] public string Id { get; set; }
        [DataMember(Name = "reason")] public string Reason { get; set; }
        /// <summary>Also matched against the reporting MTA's own words around a quoted reply
        /// ("Connected to x but sender was rejected. Remote host said: 550 ...").</summary>
        [DataMember(Name = "whole")] public bool Whole { get; set; }
        [DataMember(Name = "patterns")] public List<string> Patterns { get; set; }
        internal PhraseMatcher Matcher { get; set; }
    }

    [DataContract]
    public sealed class EvidenceRules
    {
        [DataMember(Name = "ip")] public List<string> Ip { get; set; }
        /// <summary>Where the receiving server names its own address ("host mx[ip] said").</summary>
        [DataMember(Name = "receiverIp")] public List<string> ReceiverIp { get; set; }
        /// <summary>Any address, for texts whose reason is about the sending host.</summary>
        [DataMember(Name = "anyIp")] public string AnyIp { get; set; }
        [DataMember(Name = "blocklist")] public List<BlocklistPattern> Blocklist { get; set; }
        [DataMember(Name = "providerCode")] public List<string> ProviderCode { get; set; }
        [DataMember(Name = "url")] public string Url { get; set; }

        internal List<TieredRegex> IpRegexes, ReceiverIpRegexes, ProviderCodeRegexes;
        internal TieredRegex UrlRegex, AnyIpRegex;

        internal void Compile()
        {
            IpRegexes = (Ip ?? new List<string>()).Select(p => new TieredRegex(p, BounceRules.Options, BounceRules.MatchTimeout)).ToList();
            ReceiverIpRegexes = (ReceiverIp ?? new List<string>()).Select(p => new TieredRegex(p, BounceRules.Options, BounceRules.MatchTimeout)).ToList();
            AnyIpRegex = string.IsNullOrEmpty(AnyIp) ? null : new TieredRegex(AnyIp, BounceRules.Options, BounceRules.MatchTimeout);
            ProviderCodeRegexes = (ProviderCode ?? new List<string>()).Select(p => new TieredRegex(p, BounceRules.Options, BounceRules.MatchTimeout)).ToList();
            foreach (var b in Blocklist ?? new List<BlocklistPattern>()) b.Regex = new TieredRegex(b.Pattern, BounceRules.Options, BounceRules.MatchTimeout);
            UrlRegex = new TieredRegex(Url ?? "(?<url>https?://\\S+)", BounceRules.Options, BounceRules.MatchTimeout);
        }
    }

    [DataContract]
    public sealed class BlocklistPattern
    {
        [DataMember(Name = "pattern")] public string Pattern { get; set; }
        /// <summary>Fixed name to report; empty when the pattern captures the zone as "name".</summary>
        [DataMember(Name = "name")] public string Name { get; set; }
        internal TieredRegex Regex { get; set; }
    }

    [DataContract]
    public sealed class ProviderFix
    {
        [DataMember(Name = "pattern")] public string Pattern { get; set; }
        [DataMember(Name = "fix")] public string Fix { get; set; }
    }
}

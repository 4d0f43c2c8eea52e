using System.IO;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using MailBlacklist.Engine.Diagnosis;
using MailBlacklist.Engine.Dnsbl;

namespace MailBlacklist.Engine.Requests
{
    /// <summary>Collects Invoke-MailDeliveryDiagnosis findings and Get-BounceReason objects and writes
    /// the message each responsible party needs: the sending address, the receiver's words, the
    /// times in the user's time zone, the lists with their lookup pages, and the request.</summary>
    public sealed class DelistingRequestWriter
    {
        private sealed class Item
        {
            public string Cause, CauseText, Fix, Evidence, Url, Check, Target;
        }

        private readonly CultureInfo _culture;
        private readonly TimeZoneInfo _zone;
        private readonly DateTimeOffset _now;
        private readonly string[] _secrets;
        private readonly List<Item> _items = new List<Item>();
        private readonly List<string> _addresses = new List<string>();
        private readonly List<string> _bounceLines = new List<string>();
        private readonly List<DateTimeOffset> _times = new List<DateTimeOffset>();

        // A DQS query name carries the key as its first label: <26 characters>.<list>.dq.spamhaus.net.
        private static readonly Regex DqsName = new Regex(@"\b[a-z0-9]{26}(?=\.[a-z0-9.-]*dq\.spamhaus\.net\b)",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));

        public DelistingRequestWriter(CultureInfo culture, TimeZoneInfo zone, DateTimeOffset now, IEnumerable<string> secrets)
        {
            _culture = culture ?? CultureInfo.CurrentUICulture;
            _zone = zone ?? TimeZoneInfo.Local;
            _now = now;
            _secrets = (secrets ?? Enumerable.Empty<string>()).Where(s => !string.IsNullOrEmpty(s) && s.Length >= 8).ToArray();
        }

        /// <summary>A finding of Invoke-MailDeliveryDiagnosis.</summary>
        public void Add(DiagnosisFinding finding)
        {
            if (finding == null) return;
            _items.Add(new Item
            {
                Cause = finding.CauseCode, CauseText = finding.Cause, Fix = finding.Fix, Evidence = finding.Evidence,
                Url = finding.Url, Check = finding.Check, Target = finding.Target,
            });
            if (IsAddress(finding.Target) && RequestParties.For(finding.CauseCode) != null) AddAddress(finding.Target);
            if (finding.Check == "Bounce")
            {
                AddLine(finding.Evidence);
                var date = BounceDate(finding.Input);
                if (date.HasValue) _times.Add(date.Value);
            }
        }

        /// <summary>A Get-BounceReason object: its cause is read as the diagnosis reads a bounce.</summary>
        public void Add(BounceReason bounce)
        {
            if (bounce == null) return;
            var rule = DiagnosisRules.Default.Match(bounce);
            string fixKey = "Fix_" + (string.IsNullOrEmpty(rule.Fix) ? rule.Cause : rule.Fix);
            _items.Add(new Item
            {
                Cause = rule.Cause, CauseText = Messages.Get("Cause_" + rule.Cause, _culture), Fix = Messages.Get(fixKey, _culture),
                Evidence = SafeText.Neutralize(bounce.DiagnosticText), Check = "Bounce", Target = bounce.Recipient,
                Url = FirstOf(bounce.Url, rule.Url, CauseCodes.UrlFor(rule.Cause)),
            });
            if (IsAddress(bounce.IPAddress)) AddAddress(bounce.IPAddress);
            AddLine(bounce.DiagnosticText);
            if (DateTimeOffset.TryParse(bounce.Date ?? string.Empty, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var when))
                _times.Add(when);
            else if (!string.IsNullOrEmpty(bounce.Date) && MimeKit.Utils.DateUtils.TryParse(bounce.Date, out var mimeDate))
                _times.Add(mimeDate);
        }

        /// <summary>The parties the collected causes call for, most urgent first.</summary>
        public IReadOnlyList<string> Parties =>
            RequestParties.Order.Where(p => _items.Any(i => RequestParties.For(i.Cause) == p)).ToList();

        /// <summary>The message for one party.</summary>
        public DelistingRequest Write(string party)
        {
            var mine = _items.Where(i => RequestParties.For(i.Cause) == party).ToList();
            string ips = string.Join(", ", _addresses);
            string ipOrUnknown = ips.Length > 0 ? ips : T("Request_UnknownAddress");
            var body = new StringBuilder();
            body.AppendLine(T("Request_Greeting_" + party)).AppendLine();
            body.AppendLine(Format("Request_Intro_" + party, ipOrUnknown)).AppendLine();

            Section(body, "Request_Head_Address", new[] { ipOrUnknown });
            var times = _times.Select(t => TimeZoneInfo.ConvertTime(t, _zone)).Distinct().OrderBy(t => t)
                .Select(t => t.ToString(T("Request_TimeFormat"), _culture)).ToList();
            Section(body, "Request_Head_Times", times.Count > 0 ? times : new List<string> { T("Request_TimeUnknown") },
                Format("Request_Head_TimesZone", ZoneName()));
            Section(body, "Request_Head_Checked", new[] { TimeZoneInfo.ConvertTime(_now, _zone).ToString(T("Request_TimeFormat"), _culture) });
            if (_bounceLines.Count > 0) Section(body, "Request_Head_Bounce", _bounceLines);
            var lists = mine.Concat(_items.Where(i => i.Check == "IpBlocklist" || i.Check == "DomainBlocklist"))
                .Where(i => i.Check != "Bounce" || !string.IsNullOrEmpty(i.Url))
                .Select(i => (i.Check == "Bounce" ? string.Empty : i.Evidence + " ") + (string.IsNullOrEmpty(i.Url) ? string.Empty : i.Url))
                .Select(s => s.Trim()).Where(s => s.Length > 0).Distinct().ToList();
            if (lists.Count > 0) Section(body, "Request_Head_Lists", lists);
            Section(body, "Request_Head_Findings", mine.Select(i => i.Cause + ": " + i.CauseText).Distinct().ToList());

            body.AppendLine(T("Request_Head_Request"));
            foreach (string cause in mine.Select(i => i.Cause).Distinct())
            {
                // The sender's own team gets the module's fix; the others get a request written for them.
                string ask = party == RequestParties.Self ? mine.First(i => i.Cause == cause).Fix : T("Request_Ask_" + cause);
                body.AppendLine(Indent(ask));
            }
            body.AppendLine().AppendLine(T("Request_Closing_" + party));

            return new DelistingRequest
            {
                To = party,
                Subject = Clean(Format("Request_Subject_" + party, ipOrUnknown)),
                Body = Clean(body.ToString().TrimEnd() + Environment.NewLine),
                IPAddress = ips,
                CauseCode = string.Join(", ", mine.Select(i => i.Cause).Distinct()),
                AlsoFor = string.Join(", ", Parties.Where(p => p != party)),
            };
        }

        private void Section(StringBuilder body, string headKey, IEnumerable<string> lines, string suffix = null)
        {
            body.AppendLine(T(headKey) + (suffix ?? string.Empty));
            foreach (string line in lines) body.AppendLine(Indent(line));
            body.AppendLine();
        }

        private static string Indent(string text) => "  " + (text ?? string.Empty).Replace("\n", "\n  ");

        private string ZoneName()
        {
            var offset = _zone.GetUtcOffset(_now);
            string sign = offset < TimeSpan.Zero ? "-" : "+";
            return "UTC" + sign + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture) + (_zone.Id == "UTC" ? string.Empty : ", " + _zone.Id);
        }

        // No secret leaves in a message written for someone outside: the DQS key is replaced wherever
        // a finding or a bounce carried it.
        private string Clean(string text)
        {
            foreach (string secret in _secrets) text = text.Replace(secret, "********");
            try { text = DqsName.Replace(text, "********"); } catch (RegexMatchTimeoutException) { }
            return text.Replace("\r\n", "\n").Replace("\n", Environment.NewLine);
        }

        private void AddAddress(string ip)
        {
            if (!_addresses.Contains(ip)) _addresses.Add(ip);
        }

        private void AddLine(string line)
        {
            line = Regex.Replace(line ?? string.Empty, @"\s+", " ").Trim();
            line = SafeText.Neutralize(line);
            if (line.Length > 0 && !_bounceLines.Contains(line)) _bounceLines.Add(line);
        }

        private static bool IsAddress(string text) => !string.IsNullOrEmpty(text) && IPAddress.TryParse(text, out _);

        // The bounce file's own Date header: when the receiver refused the mail.
        private static DateTimeOffset? BounceDate(string path)
        {
            try
            {
                if (string.IsNullOrEmpty(path) || !File.Exists(path) || new FileInfo(path).Length > MailBlacklist.Engine.Bounces.MailSource.MaxFileBytes) return null;
                using (var stream = File.OpenRead(path))
                {
                    var headers = MimeKit.HeaderList.Load(stream);
                    string date = headers[MimeKit.HeaderId.Date];
                    if (date != null && MimeKit.Utils.DateUtils.TryParse(date, out var when)) return when;
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is FormatException || ex is MimeKit.ParseException) { }
            return null;
        }

        private static string FirstOf(params string[] values) => values.FirstOrDefault(v => !string.IsNullOrEmpty(v)) ?? string.Empty;
        private string T(string key) => Messages.Get(key, _culture);
        private string Format(string key, params object[] args) => Messages.Format(key, _culture, args);
    }
}

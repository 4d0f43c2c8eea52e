using System.Net;
using System.Net.Sockets;
using MailBlacklist.Engine.Dns;

namespace MailBlacklist.Engine.Dnsbl
{
    /// <summary>What one A answer from a blocklist means.</summary>
    public sealed class Verdict
    {
        public DnsblStatus Status { get; set; }
        public string ReturnCodes { get; set; } = string.Empty;
        public string Meaning { get; set; } = string.Empty;
        public string Category { get; set; } = string.Empty;
        public string Tag { get; set; } = string.Empty;
        public string Detail { get; set; } = string.Empty;
        /// <summary>The zone answered with addresses outside 127/8 (parked, hijacked, rewritten).</summary>
        public bool OutsideLoopback { get; set; }
        /// <summary>The zone answered with a code it uses for errors (public resolver, rate limit, bad key).</summary>
        public bool ErrorCode { get; set; }
    }

    /// <summary>Reads answers by the catalogue's codes, or by RFC 5782 rules for zones it does not know.
    /// The two rules that matter most: a failed lookup is never "not listed", and an error code or
    /// a non-127/8 answer is never "listed".</summary>
    public static class Interpreter
    {
        public static Verdict Interpret(CatalogZone zone, DnsAnswer answer, CultureInfo culture)
        {
            switch (answer.Outcome)
            {
                case DnsOutcome.NxDomain:
                case DnsOutcome.NoData:
                    return new Verdict { Status = DnsblStatus.NotListed };
                case DnsOutcome.Answer:
                    return InterpretCodes(zone, answer.Addresses.ToList(), culture);
                default:
                    return new Verdict { Status = DnsblStatus.Error, Detail = FailureDetail(answer, culture) };
            }
        }

        public static string FailureDetail(DnsAnswer answer, CultureInfo culture)
        {
            string server = string.IsNullOrEmpty(answer.Server) ? "-" : answer.Server;
            switch (answer.Outcome)
            {
                case DnsOutcome.Timeout: return Messages.Format("Detail_Timeout", culture, server);
                case DnsOutcome.Unreachable: return Messages.Format("Detail_Unreachable", culture, server);
                case DnsOutcome.BrokenResolver: return Messages.Format("Detail_BrokenResolver", culture, server);
                case DnsOutcome.ServerFailure: return Messages.Format("Detail_ServFail", culture, server);
                case DnsOutcome.Refused: return Messages.Format("Detail_Refused", culture, server);
                default: return Messages.Format("Detail_OtherRcode", culture, server, string.IsNullOrEmpty(answer.ResponseCode) ? "?" : answer.ResponseCode);
            }
        }

        private static Verdict InterpretCodes(CatalogZone zone, List<IPAddress> codes, CultureInfo culture)
        {
            var meanings = new List<string>();
            var categories = new List<CodeCategory>();
            var tags = new List<string>();
            var details = new List<string>();
            bool outside = false, errorCode = false;

            foreach (var code in codes)
            {
                byte[] b = code.GetAddressBytes();
                if (code.AddressFamily != AddressFamily.InterNetwork || b[0] != 127)
                {
                    outside = true;
                    categories.Add(CodeCategory.Error);
                    details.Add(Messages.Format("Detail_OutsideLoopback", culture, code));
                    continue;
                }
                var known = zone?.Match(code).ToList() ?? new List<CatalogCode>();
                if (known.Count > 0)
                {
                    foreach (var k in known)
                    {
                        categories.Add(k.Category);
                        meanings.Add(Messages.Pick(k.Meaning, k.MeaningJa, culture));
                        if (k.Tag.Length > 0) tags.Add(k.Tag);
                        if (k.Category == CodeCategory.Error)
                        {
                            errorCode = true;
                            details.Add(code + ": " + Messages.Pick(k.Meaning, k.MeaningJa, culture));
                        }
                    }
                }
                else if (b[1] == 0 && b[2] == 0 && b[3] == 1)
                {
                    // RFC 5782: 127.0.0.1 is never a listing.
                    errorCode = true;
                    categories.Add(CodeCategory.Error);
                    details.Add(Messages.Format("Detail_Loopback1", culture, code));
                }
                else if (b[1] == 255 && b[2] == 255)
                {
                    errorCode = true;
                    categories.Add(CodeCategory.Error);
                    details.Add(Messages.Format("Detail_ErrorRange", culture, code));
                }
                else
                {
                    categories.Add(CodeCategory.Verdict);
                    meanings.Add(Messages.Get(zone == null ? "Meaning_RfcListed" : "Meaning_Unrecognised", culture));
                }
            }

            DnsblStatus status;
            if (categories.Contains(CodeCategory.Error)) status = DnsblStatus.Error;
            else if (categories.Contains(CodeCategory.Verdict)) status = DnsblStatus.Listed;
            else if (categories.Contains(CodeCategory.Policy)) status = DnsblStatus.Policy;
            // Information only (whitelists, reputation notes, backscatter): on the list, so never
            // NotListed, which would hide it from a "Status -ne NotListed" report.
            else status = DnsblStatus.Info;

            return new Verdict
            {
                Status = status,
                ReturnCodes = string.Join("; ", codes.Select(c => c.ToString())),
                Meaning = string.Join("; ", meanings.Distinct()),
                Category = string.Join("; ", categories.Distinct()),
                Tag = string.Join("; ", tags.Distinct()),
                Detail = string.Join(" ", details.Distinct()),
                OutsideLoopback = outside,
                ErrorCode = errorCode,
            };
        }
    }
}

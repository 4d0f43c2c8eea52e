
namespace MailBlacklist.Engine.MailServers
{
    /// <summary>One SPF evaluation's running count of DNS-querying terms and void lookups (RFC 7208
    /// 4.6.4), and its problems in order, each message once.</summary>
    internal sealed class SpfLookupState
    {
        public SpfLookupState(string domain) { Domain = domain; }
        public string Domain { get; }
        public int Lookups;
        public int Voids;
        public bool CapReached;
        public readonly List<MailServerProblem> Problems = new List<MailServerProblem>();

        public void Problem(MailServerProblemCode code, string message, MailServerRole? role = MailServerRole.Outbound, bool first = false)
        {
            var p = new MailServerProblem(code, role, message);
            if (Problems.Any(x => x.Message == p.Message)) return;
            if (first) Problems.Insert(0, p); else Problems.Add(p);
        }
    }
}

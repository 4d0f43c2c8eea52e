namespace MailBlacklist.Engine.Dns
{
    /// <summary>Asks one question. Implementations never throw for DNS or network failures:
    /// they report them as a <see cref="DnsOutcome"/>; only cancellation throws.</summary>
    public interface IDnsResolver
    {
        Task<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken);

        /// <summary>Human-readable resolver list, e.g. "127.0.0.1:53" or "system (10.0.0.53:53)".</summary>
        string Description { get; }

        /// <summary>Stable identity of the resolver set, used to key cached answers.</summary>
        string CacheKey { get; }
    }

    /// <summary>A resolver that keeps its own bound on queries in flight (a window per server,
    /// with a queue in front), so a caller need not hold queries back as well.</summary>
    internal interface ISelfPacedResolver : IDnsResolver
    {
    }
}

using System.Collections;
using System.Management.Automation.Language;
using MailBlacklist.Engine.Dnsbl;

namespace MailBlacklist
{
    /// <summary>Tab completion of -Zone from the catalogue (the one named by -CatalogPath, if typed).</summary>
    public sealed class ZoneCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            Catalog catalog;
            try
            {
                string path = fakeBoundParameters != null && fakeBoundParameters.Contains("CatalogPath")
                    ? fakeBoundParameters["CatalogPath"]?.ToString() : Catalog.DefaultPath();
                catalog = CatalogCache.Get(path);
            }
            catch (Exception)
            {
                return Enumerable.Empty<CompletionResult>();
            }
            string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            return catalog.Zones
                .Where(z => z.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(z => new CompletionResult(z.Name, z.Name, CompletionResultType.ParameterValue, z.DisplayName + " (" + z.KindSet + ")"));
        }
    }
}

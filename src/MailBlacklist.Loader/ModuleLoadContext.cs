#if NETCOREAPP
using System.Collections.Generic;
using System.Runtime.Loader;

namespace MailBlacklist.Loader
{
    /// <summary>PowerShell 7: the module's own load context. Every assembly with a file in the
    /// private folder (MimeKit, DnsClient, BouncyCastle, the engine, their satellites) loads here,
    /// so another module's copy of the same library, of any version, lives beside it untouched;
    /// the rest (PowerShell, the runtime) comes from the default context, and so do platform
    /// assemblies the host already ships at the version asked for or newer (System.Formats.Asn1,
    /// System.Security.Cryptography.Pkcs): those are the host's, with the right build per OS.</summary>
    internal sealed class ModuleLoadContext : AssemblyLoadContext
    {
        private readonly string _folder;
        private readonly Assembly _loader = typeof(ModuleLoadContext).Assembly;

        public ModuleLoadContext(string folder) : base("MailBlacklist", isCollectible: false) => _folder = folder;

        protected override Assembly Load(AssemblyName name)
        {
            // The cmdlets may call the loader (to describe a load failure): one copy, the shared one.
            if (AssemblyName.ReferenceMatchesDefinition(_loader.GetName(), name)) return _loader;
            if (HostShips(name)) return null;
            string path = FindFile(name);
            return path == null ? null : LoadFromAssemblyPath(path);
        }

        // The host's trusted platform assemblies (the runtime's and pwsh's own), by simple name.
        private static readonly Lazy<Dictionary<string, string>> Platform = new Lazy<Dictionary<string, string>>(() =>
        {
            var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            string list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty;
            foreach (string path in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
                paths[Path.GetFileNameWithoutExtension(path)] = path;
            return paths;
        });

        internal static bool HostShips(AssemblyName name)
        {
            if (!string.IsNullOrEmpty(name.CultureName) || !Platform.Value.TryGetValue(name.Name, out string path)) return false;
            try { return name.Version == null || AssemblyName.GetAssemblyName(path).Version >= name.Version; }
            catch (Exception ex) when (ex is IOException || ex is BadImageFormatException) { return false; }
        }

        /// <summary>The private file for an assembly name (satellites in their culture folder), or null.</summary>
        public string FindFile(AssemblyName name) => PrivateFile.Find(_folder, name);
    }
}
#endif

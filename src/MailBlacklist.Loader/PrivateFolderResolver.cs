#if !NETCOREAPP

namespace MailBlacklist.Loader
{
    /// <summary>Windows PowerShell 5.1 has no load contexts. The strong-named dependencies load
    /// side by side with other versions already in the session; this handler finds the module's
    /// copies (and their satellites) in the private folder when the runtime's probing does not,
    /// and only for the module's own requests or requests that name no requester.</summary>
    internal sealed class PrivateFolderResolver
    {
        private readonly string _folder;

        private PrivateFolderResolver(string folder) => _folder = folder;

        public static PrivateFolderResolver Register(string folder)
        {
            var resolver = new PrivateFolderResolver(folder);
            AppDomain.CurrentDomain.AssemblyResolve += resolver.Resolve;
            return resolver;
        }

        public string FindFile(AssemblyName name) => PrivateFile.Find(_folder, name);

        private Assembly Resolve(object sender, ResolveEventArgs args)
        {
            if (args.RequestingAssembly != null && !IsOurs(args.RequestingAssembly)) return null;
            var name = new AssemblyName(args.Name);
            string path = FindFile(name);
            if (path == null) return null;
            // Never hand out an older copy than asked for: that would fail later, further from the cause.
            var found = AssemblyName.GetAssemblyName(path);
            if (name.Version != null && found.Version < name.Version) return null;
            return Assembly.LoadFrom(path);
        }

        /// <summary>.NET Framework and Windows PowerShell assemblies, which the GAC provides.</summary>
        internal static bool IsFramework(AssemblyName name) =>
            name.Name == "mscorlib" || name.Name == "netstandard" || name.Name.StartsWith("System", StringComparison.Ordinal)
            || name.Name.StartsWith("Microsoft.", StringComparison.Ordinal);

        private bool IsOurs(Assembly assembly)
        {
            string location = assembly.IsDynamic ? null : assembly.Location;
            return !string.IsNullOrEmpty(location)
                && string.Equals(Path.GetDirectoryName(location), _folder, StringComparison.OrdinalIgnoreCase);
        }
    }
}
#endif

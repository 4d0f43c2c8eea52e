namespace MailBlacklist.Loader
{
    /// <summary>Called once by MailBlacklist.psm1: returns the cmdlet assembly, loaded from the
    /// private folder with everything it needs, or throws <see cref="DependencyLoadException"/>
    /// naming the assembly that cannot load and both versions.</summary>
    public static class ModuleLoader
    {
        private static readonly object Sync = new object();
        private static Assembly _module;

        /// <summary>The folder of this assembly: bin/net8.0 or bin/net472 of the module.</summary>
        public static string PrivateFolder => Path.GetDirectoryName(typeof(ModuleLoader).Assembly.Location);

        /// <summary>Where the cmdlet assembly and the engine live: their own load context on
        /// PowerShell 7, the AssemblyResolve handler on Windows PowerShell 5.1.</summary>
        public static string Isolation =>
#if NETCOREAPP
            "AssemblyLoadContext";
#else
            "AssemblyResolve";
#endif

        /// <summary>The engine, as the cmdlets loaded it (after <see cref="Initialize"/>).</summary>
        public static Assembly EngineAssembly { get; private set; }

        public static Assembly Initialize()
        {
            lock (Sync)
            {
                // Import-Module -Force runs the psm1 again; the assemblies cannot be unloaded, so
                // the same ones serve the new import.
                if (_module != null) return _module;
                string path = Path.Combine(PrivateFolder, "MailBlacklist.dll");
#if NETCOREAPP
                var context = new ModuleLoadContext(PrivateFolder);
                Assembly module = context.LoadFromAssemblyPath(path);
                DependencyCheck.Verify(module, context.LoadFromAssemblyName, context.FindFile, ModuleLoadContext.HostShips);
#else
                var resolver = PrivateFolderResolver.Register(PrivateFolder);
                Assembly module = Assembly.LoadFrom(path);
                DependencyCheck.Verify(module, Assembly.Load, resolver.FindFile, PrivateFolderResolver.IsFramework);
#endif
                EngineAssembly = Array.Find(AppDomain.CurrentDomain.GetAssemblies(),
                    a => a.GetName().Name == "MailBlacklist.Engine" && SameContext(a, module));
                _module = module;
                return module;
            }
        }

        private static bool SameContext(Assembly a, Assembly b) =>
#if NETCOREAPP
            System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(a) == System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(b);
#else
            true;
#endif

        /// <summary>What is there instead of a needed assembly, for the message: an older private
        /// file, another version already loaded in the session, or nothing (null version).</summary>
        internal static (string Version, string Where) Found(AssemblyName needed)
        {
            string path = PrivateFile.Find(PrivateFolder, needed);
            Version fileVersion = null;
            if (path != null)
            {
                try { fileVersion = AssemblyName.GetAssemblyName(path).Version; }
                catch (Exception ex) when (ex is IOException || ex is BadImageFormatException) { }
            }
            if (fileVersion != null && needed.Version != null && fileVersion < needed.Version) return (fileVersion.ToString(), path);
            foreach (var loaded in AppDomain.CurrentDomain.GetAssemblies())
            {
                var name = loaded.GetName();
                if (string.Equals(name.Name, needed.Name, StringComparison.OrdinalIgnoreCase) && name.Version != needed.Version)
                    return (name.Version?.ToString(), DependencyCheck.Where(loaded));
            }
            if (fileVersion != null) return (fileVersion.ToString(), path);
            return (null, path ?? Path.Combine(PrivateFolder, needed.Name + ".dll"));
        }
    }
}

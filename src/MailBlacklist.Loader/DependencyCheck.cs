using System.Collections.Generic;

namespace MailBlacklist.Loader
{
    /// <summary>Loads, at import, every assembly the cmdlets reach through the private folder, so
    /// that a missing file or a version clash stops Import-Module with a message naming the
    /// assembly and both versions, instead of surfacing later inside some command.</summary>
    internal static class DependencyCheck
    {
        public static void Verify(Assembly module, Func<AssemblyName, Assembly> load, Func<AssemblyName, string> findFile, Func<AssemblyName, bool> isHost)
        {
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { module.GetName().Name };
            var pending = new Queue<Assembly>();
            pending.Enqueue(module);
            while (pending.Count > 0)
            {
                foreach (var reference in pending.Dequeue().GetReferencedAssemblies())
                {
                    if (!seen.Add(reference.Name)) continue;
                    bool ours = findFile(reference) != null;
                    // The host's own assemblies (runtime, PowerShell) are its business, and loading
                    // them all here only slows the import.
                    if (!ours && isHost(reference)) continue;
                    Assembly loaded;
                    try { loaded = load(reference); }
                    catch (Exception ex) when (ex is FileLoadException || ex is FileNotFoundException || ex is BadImageFormatException)
                    {
                        var found = ModuleLoader.Found(reference);
                        throw new DependencyLoadException(reference.Name, reference.Version?.ToString(), found.Version, found.Where, ex);
                    }
                    if (reference.Version != null && loaded.GetName().Version < reference.Version)
                        throw new DependencyLoadException(reference.Name, reference.Version.ToString(),
                            loaded.GetName().Version.ToString(), Where(loaded), null);
                    // Walk only the module's own files: the framework's references are not ours to check.
                    if (ours) pending.Enqueue(loaded);
                }
            }
        }

        internal static string Where(Assembly assembly) =>
            assembly.IsDynamic || string.IsNullOrEmpty(assembly.Location) ? assembly.FullName : assembly.Location;
    }
}

using System.Globalization;
using System.Resources;

namespace MailBlacklist.Loader
{
    /// <summary>The module cannot load one of its own assemblies. Deliberately not an IOException:
    /// a broken installation or a version clash must never read as a problem with the user's file.</summary>
    public sealed class DependencyLoadException : Exception
    {
        private static readonly ResourceManager Strings =
            new ResourceManager("MailBlacklist.Loader.Resources.LoaderStrings", typeof(DependencyLoadException).Assembly);

        public DependencyLoadException(string assemblyName, string neededVersion, string foundVersion, string foundWhere, Exception inner)
            : base(Describe(assemblyName, neededVersion, foundVersion, foundWhere), inner)
        {
            AssemblyName = assemblyName;
            NeededVersion = neededVersion;
            FoundVersion = foundVersion;
        }

        public string AssemblyName { get; }
        public string NeededVersion { get; }
        /// <summary>The version that was there instead, or null when none was.</summary>
        public string FoundVersion { get; }

        /// <summary>The runtime's own load failures (FileLoadException, a FileNotFoundException for an
        /// assembly, BadImageFormatException) described with both versions; null for anything else,
        /// such as a user's file that is missing.</summary>
        public static DependencyLoadException From(Exception ex)
        {
            for (var e = ex; e != null; e = e.InnerException)
            {
                if (e is DependencyLoadException known) return known;
                string fileName = (e as System.IO.FileLoadException)?.FileName
                    ?? (e as System.IO.FileNotFoundException)?.FileName
                    ?? (e as BadImageFormatException)?.FileName;
                // The runtime names an assembly it could not load by its display name; a user's file by its path.
                if (fileName == null || fileName.IndexOf(", Version=", StringComparison.Ordinal) < 0) continue;
                AssemblyName needed;
                try { needed = new AssemblyName(fileName); }
                catch (Exception) { continue; }
                var found = ModuleLoader.Found(needed);
                return new DependencyLoadException(needed.Name, needed.Version?.ToString(), found.Version, found.Where, e);
            }
            return null;
        }

        private static string Describe(string name, string needed, string found, string where)
        {
            var culture = CultureInfo.CurrentUICulture;
            string neededText = needed ?? "?";
            return found == null
                ? string.Format(culture, Strings.GetString("DependencyMissing", culture), name, neededText, where)
                : string.Format(culture, Strings.GetString("DependencyMismatch", culture), name, neededText, found, where);
        }
    }
}

namespace MailBlacklist.Loader
{
    /// <summary>Where an assembly of the module lives in its private folder: Name.dll, and
    /// satellites in culture/Name.dll, as the build lays them out.</summary>
    internal static class PrivateFile
    {
        public static string Find(string folder, AssemblyName name)
        {
            if (string.IsNullOrEmpty(name.Name)) return null;
            string dir = string.IsNullOrEmpty(name.CultureName) ? folder : Path.Combine(folder, name.CultureName);
            string path = Path.Combine(dir, name.Name + ".dll");
            return File.Exists(path) ? path : null;
        }
    }
}

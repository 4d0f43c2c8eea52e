using System;
using System.IO;

namespace MailBlacklist.Engine.Tests.Text
{
    /// <summary>Paths in the source tree: the resource tests read the .resx files and sources as
    /// written, since satellite-assembly lookup falls back to English and would hide a missing text.</summary>
    internal static class Repo
    {
        public static readonly string Root = Find();

        public static string Path(params string[] parts) => System.IO.Path.Combine(Root, System.IO.Path.Combine(parts));

        private static string Find()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "MailBlacklist.slnx"))) return dir.FullName;
            throw new InvalidOperationException("MailBlacklist.slnx not found above " + AppContext.BaseDirectory);
        }
    }
}

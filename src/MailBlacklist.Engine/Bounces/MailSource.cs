using System.IO;
using System.Text;

namespace MailBlacklist.Engine.Bounces
{
    /// <summary>Bytes of messages from files: a single message, an mbox file (several messages, split
    /// on "From " lines), or a Maildir folder (files in cur/ and new/). Sizes are capped so that a huge
    /// or wrong file cannot exhaust memory.</summary>
    public static class MailSource
    {
        public const long MaxFileBytes = 10L * 1024 * 1024;

        public static bool IsMaildir(string folder) =>
            Directory.Exists(Path.Combine(folder, "cur")) || Directory.Exists(Path.Combine(folder, "new"));

        /// <summary>The message files of a folder: cur/ and new/ of a Maildir, else the folder's own files.</summary>
        public static IEnumerable<string> FilesOf(string folder)
        {
            var dirs = IsMaildir(folder)
                ? new[] { Path.Combine(folder, "cur"), Path.Combine(folder, "new") }
                : new[] { folder };
            foreach (string dir in dirs)
            {
                if (!Directory.Exists(dir)) continue;
                var files = Directory.GetFiles(dir);
                Array.Sort(files, StringComparer.Ordinal);
                foreach (string f in files) yield return f;
            }
        }

        public static byte[] ReadFile(string path)
        {
            var info = new FileInfo(path);
            if (info.Length > MaxFileBytes) throw new BounceInputException("InputTooLarge", "Error_TooLarge", path, info.Length / 1024 / 1024, MaxFileBytes / 1024 / 1024);
            return File.ReadAllBytes(path);
        }

        /// <summary>CRLF and bare CR become LF, so that the MIME parser and the mbox splitter see one
        /// kind of line end (bare CR, as old Mac mail files have, is not a line end to MIME parsers).</summary>
        public static byte[] NormalizeLineEndings(byte[] data)
        {
            if (Array.IndexOf(data, (byte)'\r') < 0) return data;
            var output = new byte[data.Length];
            int n = 0;
            for (int i = 0; i < data.Length; i++)
            {
                if (data[i] == '\r')
                {
                    output[n++] = (byte)'\n';
                    if (i + 1 < data.Length && data[i + 1] == '\n') i++;
                }
                else output[n++] = data[i];
            }
            Array.Resize(ref output, n);
            return output;
        }

        /// <summary>Splits mbox content on "From " separator lines; a single message comes back whole.</summary>
        public static List<byte[]> SplitMbox(byte[] data)
        {
            var parts = new List<byte[]>();
            if (!(data.Length > 5 && data[0] == 'F' && data[1] == 'r' && data[2] == 'o' && data[3] == 'm' && data[4] == ' '))
            {
                parts.Add(data);
                return parts;
            }
            var starts = new List<int> { 0 };
            for (int i = 1; i + 5 < data.Length; i++)
            {
                // A separator is "From " at a line start, after an empty line (mboxrd/mboxo both do that).
                if (data[i - 1] == '\n' && data[i] == 'F' && data[i + 1] == 'r' && data[i + 2] == 'o' && data[i + 3] == 'm' && data[i + 4] == ' '
                    && i >= 2 && (data[i - 2] == '\n' || (data[i - 2] == '\r' && i >= 3 && data[i - 3] == '\n')))
                    starts.Add(i);
            }
            for (int k = 0; k < starts.Count; k++)
            {
                int from = starts[k];
                // Skip the separator line itself.
                while (from < data.Length && data[from] != '\n') from++;
                from++;
                int to = k + 1 < starts.Count ? starts[k + 1] : data.Length;
                if (to > from)
                {
                    var part = new byte[to - from];
                    Buffer.BlockCopy(data, from, part, 0, part.Length);
                    parts.Add(part);
                }
            }
            return parts;
        }
    }
}

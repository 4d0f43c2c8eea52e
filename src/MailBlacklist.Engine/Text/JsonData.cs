using System.IO;
using System.Text;
#if !NETCOREAPP
using System.Runtime.Serialization.Json;
#endif

namespace MailBlacklist.Engine.Text
{
    /// <summary>Reads the engine's JSON data files (catalogue, bounce rules, diagnosis rules) into
    /// their [DataContract] classes: on .NET 8+ through DataMemberJson, on Windows PowerShell
    /// (net472, no inbox System.Text.Json) through DataContractJsonSerializer.</summary>
    internal static class JsonData
    {
        public static T Read<T>(Stream stream) where T : class
        {
            byte[] utf8 = Utf8(stream);
#if NETCOREAPP
            return DataMemberJson.Read<T>(utf8);
#else
            var settings = new DataContractJsonSerializerSettings { UseSimpleDictionaryFormat = true };
            using (var bytes = new MemoryStream(utf8))
                return (T)new DataContractJsonSerializer(typeof(T), settings).ReadObject(bytes);
#endif
        }

        // Both readers get plain UTF-8: a byte-order mark (Windows PowerShell's Set-Content and
        // Out-File write one, UTF-16 for Out-File) used to fail the whole file.
        private static byte[] Utf8(Stream stream)
        {
            byte[] data;
            using (var copy = new MemoryStream())
            {
                stream.CopyTo(copy);
                data = copy.ToArray();
            }
            if (data.Length >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
                return Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(data, 3, data.Length - 3));
            if (data.Length >= 2 && data[0] == 0xFF && data[1] == 0xFE)
                return Encoding.UTF8.GetBytes(Encoding.Unicode.GetString(data, 2, data.Length - 2));
            if (data.Length >= 2 && data[0] == 0xFE && data[1] == 0xFF)
                return Encoding.UTF8.GetBytes(Encoding.BigEndianUnicode.GetString(data, 2, data.Length - 2));
            return data;
        }
    }
}

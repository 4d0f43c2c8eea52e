#if NETCOREAPP
using System.Collections;
using System.Reflection;
using System.Runtime.Serialization;
using System.Text.Json;

namespace MailBlacklist.Engine.Text
{
    /// <summary>Fills [DataContract] classes from a JSON document by their [DataMember] names, as
    /// DataContractJsonSerializer does, without its start-up cost: it builds a serializer per type
    /// through reflection (about 0.1 s of CPU in a fresh session), and source-generated
    /// System.Text.Json metadata JIT-compiles as much. Handles the shapes the data files use:
    /// strings, numbers, booleans, nullable values, arrays, List&lt;T&gt;, Dictionary&lt;string, T&gt;.</summary>
    internal sealed class DataMemberJson
    {
        private readonly Dictionary<Type, Dictionary<string, PropertyInfo>> _members = new Dictionary<Type, Dictionary<string, PropertyInfo>>();

        public static T Read<T>(byte[] utf8) where T : class
        {
            // Trailing commas loaded before; comments did not.
            using (var document = JsonDocument.Parse(utf8, new JsonDocumentOptions { AllowTrailingCommas = true }))
                return (T)new DataMemberJson().Value(document.RootElement, typeof(T), "$");
        }

        private object Value(JsonElement e, Type type, string path)
        {
            Type nullable = Nullable.GetUnderlyingType(type);
            if (e.ValueKind == JsonValueKind.Null)
            {
                if (type.IsValueType && nullable == null) throw new SerializationException(path + ": " + type.Name + " cannot be null.");
                return null;
            }
            type = nullable ?? type;
            try
            {
                // Like DataContractJsonSerializer: a quoted number or boolean reads, and so does a number where text is expected.
                if (type == typeof(string)) return e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText();
                if (type == typeof(bool)) return e.ValueKind == JsonValueKind.String ? bool.Parse(e.GetString()) : e.GetBoolean();
                if (type == typeof(int)) return checked((int)Number(e));
                if (type == typeof(long)) return checked((long)Number(e));
                if (type.IsArray) return Array(e, type.GetElementType(), path);
                if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
                {
                    var list = (IList)Activator.CreateInstance(type);
                    foreach (object item in Array(e, type.GetGenericArguments()[0], path)) list.Add(item);
                    return list;
                }
                if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) && type.GetGenericArguments()[0] == typeof(string))
                {
                    var map = (IDictionary)Activator.CreateInstance(type);
                    Type valueType = type.GetGenericArguments()[1];
                    // A key is the file's text: shown neutralized if an error names it.
                    foreach (var p in e.EnumerateObject()) map[p.Name] = Value(p.Value, valueType, path + "." + SafeText.Neutralize(p.Name, 80));
                    return map;
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException || ex is FormatException || ex is OverflowException)
            {
                throw new SerializationException(path + ": " + ex.Message, ex);
            }
            if (type.GetCustomAttribute<DataContractAttribute>() == null) throw new SerializationException(path + ": " + type.Name + " is not a data contract.");
            if (e.ValueKind != JsonValueKind.Object) throw new SerializationException(path + ": expected an object, found " + e.ValueKind + ".");
            object target = Activator.CreateInstance(type, nonPublic: true);
            var members = Members(type);
            foreach (var p in e.EnumerateObject())
            {
                // Names are matched exactly (case included); unknown ones are ignored.
                if (members.TryGetValue(p.Name, out var property)) property.SetValue(target, Value(p.Value, property.PropertyType, path + "." + p.Name));
            }
            return target;
        }

        private Array Array(JsonElement e, Type elementType, string path)
        {
            if (e.ValueKind != JsonValueKind.Array) throw new SerializationException(path + ": expected an array, found " + e.ValueKind + ".");
            var items = System.Array.CreateInstance(elementType, e.GetArrayLength());
            int i = 0;
            foreach (var item in e.EnumerateArray()) { items.SetValue(Value(item, elementType, path + "[" + i + "]"), i); i++; }
            return items;
        }

        // Integral JSON numbers, also written as 2.0 or 1e2 or quoted, as DataContractJsonSerializer read them.
        private static decimal Number(JsonElement e)
        {
            decimal d = e.ValueKind == JsonValueKind.String
                ? decimal.Parse(e.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture)
                : e.GetDecimal();
            if (d != decimal.Truncate(d)) throw new FormatException("'" + d.ToString(CultureInfo.InvariantCulture) + "' is not a whole number.");
            return d;
        }

        private Dictionary<string, PropertyInfo> Members(Type type)
        {
            if (_members.TryGetValue(type, out var known)) return known;
            var members = new Dictionary<string, PropertyInfo>(StringComparer.Ordinal);
            foreach (var property in type.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                var member = property.GetCustomAttribute<DataMemberAttribute>();
                if (member != null) members[member.Name ?? property.Name] = property;
            }
            return _members[type] = members;
        }
    }
}
#endif

using System.Collections.Concurrent;
using System.Reflection;

namespace MailBlacklist.Engine.Text
{
    /// <summary>Applies <see cref="SafeText"/> to every public string property of an output object,
    /// at the one place objects leave the module, so that no property can be forgotten (a new one
    /// included). Each type's properties are found once and called through delegates: cheap
    /// enough for every BounceReason.</summary>
    public static class SafeObject
    {
        private static readonly ConcurrentDictionary<Type, Action<object>[]> Cleaners = new ConcurrentDictionary<Type, Action<object>[]>();

        /// <summary>Neutralizes the object's string properties in place (no length cut: the engine
        /// already cuts what can be long) and returns it.</summary>
        public static T Clean<T>(T item) where T : class
        {
            if (item == null) return null;
            foreach (var clean in Cleaners.GetOrAdd(item.GetType(), Build)) clean(item);
            return item;
        }

        private static Action<object>[] Build(Type type)
        {
            var cleaners = new List<Action<object>>();
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (p.PropertyType != typeof(string) || p.GetIndexParameters().Length > 0) continue;
                var get = p.GetGetMethod();
                var set = p.GetSetMethod();
                if (get == null || set == null) continue;
                bool lines = p.IsDefined(typeof(MultiLineTextAttribute), true);
                var getter = (Func<object, string>)typeof(SafeObject).GetMethod(nameof(Getter), BindingFlags.NonPublic | BindingFlags.Static)
                    .MakeGenericMethod(type).Invoke(null, new object[] { get });
                var setter = (Action<object, string>)typeof(SafeObject).GetMethod(nameof(Setter), BindingFlags.NonPublic | BindingFlags.Static)
                    .MakeGenericMethod(type).Invoke(null, new object[] { set });
                cleaners.Add(o =>
                {
                    string value = getter(o);
                    if (!SafeText.IsSafe(value)) setter(o, SafeText.Neutralize(value, int.MaxValue, lines));
                });
            }
            return cleaners.ToArray();
        }

        private static Func<object, string> Getter<T>(MethodInfo get)
        {
            var typed = (Func<T, string>)Delegate.CreateDelegate(typeof(Func<T, string>), get);
            return o => typed((T)o);
        }

        private static Action<object, string> Setter<T>(MethodInfo set)
        {
            var typed = (Action<T, string>)Delegate.CreateDelegate(typeof(Action<T, string>), set);
            return (o, v) => typed((T)o, v);
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using YamlDotNet.RepresentationModel;

namespace MailBlacklist.Engine.Tests.Spf
{
    /// <summary>One test of the RFC 7208 suite: the connecting host, MAIL FROM, HELO, the
    /// acceptable results (the first preferred) and the scenario's zone.</summary>
    public sealed class SuiteCase
    {
        public string Id { get; init; } = "";
        public string Scenario { get; init; } = "";
        public string Spec { get; init; } = "";
        public string Host { get; init; } = "";
        public string MailFrom { get; init; } = "";
        public string Helo { get; init; } = "";
        public string[] Results { get; init; } = Array.Empty<string>();
        public bool ChecksExplanation { get; init; }
        internal Dictionary<string, List<(string Type, string? Value)>> Zone { get; init; } = new();
        public override string ToString() => Id;
    }

    /// <summary>Reads rfc7208-tests.yml (a stream of YAML documents, one scenario each).</summary>
    public static class SpfSuite
    {
        public static readonly Lazy<IReadOnlyList<SuiteCase>> Cases = new(Load);

        private static IReadOnlyList<SuiteCase> Load()
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(Path.Combine(AppContext.BaseDirectory, "Data", "rfc7208-tests.yml")))
                stream.Load(reader);
            var cases = new List<SuiteCase>();
            foreach (var doc in stream.Documents)
            {
                var root = (YamlMappingNode)doc.RootNode;
                string scenario = Scalar(root, "description");
                var zone = LoadZone((YamlMappingNode)root.Children[new YamlScalarNode("zonedata")]);
                foreach (var test in (YamlMappingNode)root.Children[new YamlScalarNode("tests")])
                {
                    var t = (YamlMappingNode)test.Value;
                    var result = t.Children[new YamlScalarNode("result")];
                    cases.Add(new SuiteCase
                    {
                        Id = ((YamlScalarNode)test.Key).Value!,
                        Scenario = scenario,
                        Spec = Scalar(t, "spec"),
                        Host = Scalar(t, "host"),
                        MailFrom = Scalar(t, "mailfrom"),
                        Helo = Scalar(t, "helo"),
                        Results = result is YamlSequenceNode list
                            ? list.Select(n => ((YamlScalarNode)n).Value!).ToArray()
                            : new[] { ((YamlScalarNode)result).Value! },
                        ChecksExplanation = t.Children.ContainsKey(new YamlScalarNode("explanation")),
                        Zone = zone,
                    });
                }
            }
            return cases;
        }

        private static string Scalar(YamlMappingNode map, string key) =>
            map.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlScalarNode s ? s.Value ?? "" : "";

        private static Dictionary<string, List<(string, string?)>> LoadZone(YamlMappingNode zonedata)
        {
            var zone = new Dictionary<string, List<(string, string?)>>(StringComparer.Ordinal);
            foreach (var entry in zonedata)
            {
                string name = ((YamlScalarNode)entry.Key).Value!.TrimEnd('.').ToLowerInvariant();
                var records = new List<(string, string?)>();
                foreach (var item in (YamlSequenceNode)entry.Value)
                {
                    if (item is YamlScalarNode bare) { records.Add((bare.Value!, null)); continue; }   // TIMEOUT
                    foreach (var rr in (YamlMappingNode)item)
                    {
                        string type = ((YamlScalarNode)rr.Key).Value!;
                        records.Add((type, Value(type, rr.Value)));
                    }
                }
                if (zone.TryGetValue(name, out var known)) { known.AddRange(records); records = known; }
                zone[name] = records;
            }
            // RFC 4408's SPF type is gone; the suite copies SPF records to TXT, after the name's other
            // entries, for names that have no TXT of their own.
            foreach (var records in zone.Values)
            {
                if (records.Any(r => r.Item1 == "TXT")) continue;
                records.AddRange(records.Where(r => r.Item1 == "SPF").Select(r => ("TXT", r.Item2)).ToList());
            }
            return zone;
        }

        // TXT/SPF: one string, or several glued together with no separator (RFC 7208 3.3);
        // "NONE" means the type is present with no record. MX: [preference, host].
        private static string? Value(string type, YamlNode node)
        {
            if (node is YamlSequenceNode parts)
            {
                var strings = parts.Select(p => ((YamlScalarNode)p).Value ?? "").ToList();
                return type == "MX" ? strings[0] + " " + strings[1] : string.Concat(strings);
            }
            string value = ((YamlScalarNode)node).Value ?? "";
            return value == "NONE" ? null : value;
        }
    }
}

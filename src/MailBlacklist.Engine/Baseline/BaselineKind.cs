namespace MailBlacklist.Engine.Baseline
{
    /// <summary>Which command exported a CSV, told by the columns each one always writes.</summary>
    public static class BaselineKind
    {
        public const string TestDnsbl = "Test-Dnsbl";
        public const string Diagnosis = "Invoke-MailDeliveryDiagnosis";
        public const string BounceReason = "Get-BounceReason";
        public const string MailServerIp = "Get-MailServerIp";

        private static readonly (string command, string[] columns)[] Known =
        {
            (TestDnsbl, new[] { "Input", "Zone", "Status" }),
            (Diagnosis, new[] { "Target", "Check", "CauseCode", "Severity" }),
            (BounceReason, new[] { "Recipient", "Reason", "DiagnosticText" }),
            (MailServerIp, new[] { "IPAddress", "Role", "Source" }),
        };

        public static string[] ColumnsOf(string command) => Known.First(k => k.command == command).columns;

        /// <summary>The command whose columns an object or CSV has (<paramref name="has"/> asks for one
        /// column), or null.</summary>
        public static string Detect(System.Func<string, bool> has) =>
            Known.Where(k => k.columns.All(has)).Select(k => k.command).FirstOrDefault();

        /// <summary>Checks that <paramref name="table"/> is a non-empty export of <paramref name="command"/>.</summary>
        public static void RequireRows(CsvTable table, string command)
        {
            if (table.Rows.Count == 0) throw new BaselineException(BaselineProblem.Empty, 2, null);
            Require(table, command);
        }

        /// <summary>A column that holds an enum name (Status, Severity); anything else, numbers
        /// included, means the file is not what it claims (edited or truncated).</summary>
        public static T EnumCell<T>(CsvTable table, int rowIndex, string column) where T : struct
        {
            string cell = table.Cell(table.Rows[rowIndex], column);
            if (!System.Enum.TryParse(cell, ignoreCase: true, out T value) || int.TryParse(cell, out _))
                throw new BaselineException(BaselineProblem.Damaged, rowIndex + 2, cell);
            return value;
        }

        /// <summary>Throws OtherCommand unless <paramref name="table"/> has the columns of
        /// <paramref name="command"/>; the detail names the command it seems to come from.</summary>
        public static void Require(CsvTable table, string command)
        {
            if (ColumnsOf(command).All(table.Has)) return;
            throw new BaselineException(BaselineProblem.OtherCommand, 1, Detect(table.Has));
        }
    }
}

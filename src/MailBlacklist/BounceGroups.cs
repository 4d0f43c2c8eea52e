using MailBlacklist.Engine.Bounces;

namespace MailBlacklist
{
    /// <summary>Get-BounceReason objects arriving one by one, gathered per message: consecutive
    /// recipients of one message (same file, same message number) make one group, as they do when
    /// the cmdlet reads the file itself.</summary>
    internal sealed class BounceGroups
    {
        private List<BounceReason> _pending;

        /// <summary>Adds one recipient; when it starts another message, hands over the previous one.</summary>
        public void Add(BounceReason bounce, Action<List<BounceReason>> finished)
        {
            if (_pending != null && !SameMessage(_pending[0], bounce)) Flush(finished);
            (_pending = _pending ?? new List<BounceReason>()).Add(bounce);
        }

        /// <summary>Hands over the message still gathering (at the end of the input).</summary>
        public void Flush(Action<List<BounceReason>> finished)
        {
            if (_pending == null) return;
            var group = _pending;
            _pending = null;
            finished(group);
        }

        private static bool SameMessage(BounceReason a, BounceReason b) =>
            !string.IsNullOrEmpty(a.Path) && string.Equals(a.Path, b.Path, StringComparison.Ordinal) && a.MessageNumber == b.MessageNumber;
    }
}

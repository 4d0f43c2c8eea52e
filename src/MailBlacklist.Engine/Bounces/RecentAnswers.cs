namespace MailBlacklist.Engine.Bounces
{
    /// <summary>The last few answers of a text matcher, so that the same text asked about again
    /// while one message is read (the diagnostic by several readers, the body once per recipient) is
    /// not scanned again. One instance per thread: callers keep it in a [ThreadStatic] field.</summary>
    internal sealed class RecentAnswers
    {
        private const int Size = 8;
        private readonly object[] _owners = new object[Size];
        private readonly string[] _texts = new string[Size];
        private readonly int[] _kinds = new int[Size];
        private readonly string[] _answers = new string[Size];
        private int _next;

        /// <param name="owner">The rules asked (answers of other rules do not count).</param>
        /// <param name="kind">Which question about the text (e.g. all rules or only "whole" ones).</param>
        public bool TryGet(object owner, string text, int kind, out string answer)
        {
            for (int i = 0; i < Size; i++)
            {
                if (ReferenceEquals(_owners[i], owner) && _kinds[i] == kind && string.Equals(_texts[i], text))
                {
                    answer = _answers[i];
                    return true;
                }
            }
            answer = null;
            return false;
        }

        public void Add(object owner, string text, int kind, string answer)
        {
            _owners[_next] = owner;
            _texts[_next] = text;
            _kinds[_next] = kind;
            _answers[_next] = answer;
            _next = (_next + 1) % Size;
        }
    }
}

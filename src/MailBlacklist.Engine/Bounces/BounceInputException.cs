namespace MailBlacklist.Engine.Bounces
{
    /// <summary>An input that cannot be read as a message. ErrorId is stable English for scripts;
    /// MessageKey names the localized text (BounceStrings), filled with Arguments.</summary>
    public sealed class BounceInputException : Exception
    {
        public string ErrorId { get; }
        public string MessageKey { get; }
        public object[] Arguments { get; }

        public BounceInputException(string errorId, string messageKey, params object[] arguments) : base(errorId)
        {
            ErrorId = errorId;
            MessageKey = messageKey;
            Arguments = arguments;
        }
    }
}

namespace MailBlacklist.Engine.Text
{
    /// <summary>Marks an output property meant to be several lines (a message body): the safety
    /// rule keeps its line breaks and escapes every other control character.</summary>
    [AttributeUsage(AttributeTargets.Property)]
    public sealed class MultiLineTextAttribute : Attribute
    {
    }
}

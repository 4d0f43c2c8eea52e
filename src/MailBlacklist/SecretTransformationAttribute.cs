using System.Security;

namespace MailBlacklist
{
    /// <summary>Lets a SecureString parameter also take plain text, so that both
    /// <c>-DqsKey (Get-Secret SpamhausDqs)</c> (a SecretManagement vault returns a SecureString) and
    /// <c>-DqsKey $text</c> work, without the module depending on SecretManagement.</summary>
    public sealed class SecretTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            if (!(value is string text)) return value;
            var secure = new SecureString();
            foreach (char c in text) secure.AppendChar(c);
            secure.MakeReadOnly();
            return secure;
        }
    }
}

using System.IO;
using System.Text.RegularExpressions;
using MimeKit;

namespace MailBlacklist.Engine.Bounces
{
    /// <summary>The parts of a message that matter for a bounce: the human-readable text, the
    /// delivery-status fields, a feedback report, and the returned original message (or its headers).
    /// The returned message is not searched for text: its words are the sender's, not the receiver's.</summary>
    public sealed class MessageParts
    {
        public List<string> Texts { get; } = new List<string>();
        public List<string> DeliveryStatus { get; } = new List<string>();
        public string FeedbackReport { get; set; }
        public string ReportType { get; set; }
        /// <summary>Headers of the returned message, when the bounce carries them.</summary>
        public HeaderList ReturnedHeaders { get; set; }

        public static MessageParts Collect(MimeMessage message) => Collect(message, 0);

        private static MessageParts Collect(MimeMessage message, int depth)
        {
            var parts = new MessageParts();
            var top = message.Body as MultipartReport;
            parts.ReportType = top?.ReportType ?? (message.Body?.ContentType.Parameters["report-type"]);
            Walk(message.Body, parts);
            // A list server or gateway that forwards the report inside a message/rfc822 part
            // (Mailman, InterScan): the report is the embedded message, the wrapper says nothing.
            if (parts.DeliveryStatus.Count == 0 && parts.FeedbackReport == null && parts.Embedded != null && depth < 3
                && IsDeliveryReport(parts.Embedded))
                return Collect(parts.Embedded, depth + 1);
            return parts;
        }

        private static bool IsDeliveryReport(MimeMessage message) =>
            message.Body?.ContentType != null
            && (message.Body.ContentType.IsMimeType("multipart", "report") || !string.IsNullOrEmpty(message.Body.ContentType.Parameters["report-type"]))
            && string.Equals(message.Body.ContentType.Parameters["report-type"], "delivery-status", StringComparison.OrdinalIgnoreCase);

        /// <summary>The first message/rfc822 part.</summary>
        internal MimeMessage Embedded { get; private set; }

        private static void Walk(MimeEntity entity, MessageParts parts)
        {
            switch (entity)
            {
                case null:
                    return;
                case Multipart multipart:
                    // A boundary that matches no line (seen in edited or damaged bounces) leaves
                    // everything in the preamble: read it as text rather than lose the report.
                    if (multipart.Count == 0)
                    {
                        parts.Texts.Add(multipart.Preamble ?? string.Empty);
                        return;
                    }
                    // Of text/plain and text/html alternatives, one is enough.
                    if (multipart.ContentType.IsMimeType("multipart", "alternative"))
                    {
                        var plain = multipart.FirstOrDefault(p => p.ContentType.IsMimeType("text", "plain")) ?? multipart.FirstOrDefault();
                        Walk(plain, parts);
                        return;
                    }
                    foreach (var child in multipart) Walk(child, parts);
                    return;
                case MessageDeliveryStatus dsn:
                    parts.DeliveryStatus.Add(ContentText(dsn));
                    return;
                case MessagePart message:
                    if (message.ContentType.IsMimeType("message", "feedback-report")) { parts.FeedbackReport = ContentText(message); return; }
                    if (parts.ReturnedHeaders == null && message.Message != null) parts.ReturnedHeaders = message.Message.Headers;
                    if (parts.Embedded == null) parts.Embedded = message.Message;
                    return;
                case MimePart part:
                    string type = part.ContentType.MimeType.ToLowerInvariant();
                    if (type == "message/feedback-report") { parts.FeedbackReport = ContentText(part); return; }
                    if (type == "message/delivery-status" || type == "message/global-delivery-status") { parts.DeliveryStatus.Add(ContentText(part)); return; }
                    if (type == "text/rfc822-headers" || type == "message/rfc822-headers" || type == "text/rfc822-header")
                    {
                        if (parts.ReturnedHeaders == null) parts.ReturnedHeaders = ParseHeaders(ContentText(part));
                        return;
                    }
                    if (part.IsAttachment && !(part is TextPart)) return;
                    if (part is TextPart text)
                    {
                        string body = SafeText(text);
                        if (text.IsHtml) body = StripHtml(body);
                        parts.Texts.Add(body);
                    }
                    return;
            }
        }

        private static string SafeText(TextPart text)
        {
            try { return text.Text ?? string.Empty; }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException) { return ContentText(text); }
        }

        internal static string ContentText(MimeEntity entity)
        {
            using (var stream = new MemoryStream())
            {
                if (entity is MimePart part && part.Content != null) part.Content.DecodeTo(stream);
                else if (entity is MessagePart mp && mp.Message != null) mp.Message.WriteTo(stream);
                else entity.WriteTo(stream);
                // The stream's own buffer, not a ToArray copy of it.
                return System.Text.Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length).Replace("\r\n", "\n");
            }
        }

        internal static HeaderList ParseHeaders(string text)
        {
            try
            {
                using (var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text.TrimStart('\n') + "\n\n")))
                    return MimeMessage.Load(BounceParser.MimeOptions, stream).Headers;
            }
            catch (Exception ex) when (ex is FormatException || ex is ParseException) { return null; }
        }

        private static readonly TieredRegex Tags = Patterns.Make(@"<(?:br|p|div|tr|li|/p|/div|/tr|/li|/h\d)[^>]*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private static readonly TieredRegex AnyTag = Patterns.Make(@"<[^>]*>", RegexOptions.CultureInvariant);

        private static string StripHtml(string html)
        {
            string text = Tags.Replace(html, "\n");
            text = AnyTag.Replace(text, " ");
            return System.Net.WebUtility.HtmlDecode(text);
        }
    }
}

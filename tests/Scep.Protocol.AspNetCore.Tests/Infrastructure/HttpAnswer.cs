using System.Globalization;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Tasks;

namespace Scep.Protocol.AspNetCore.Tests.Infrastructure;

/// <summary>
/// An HTTP answer as it came over the wire: status, the Content-Type and Content-Length headers as sent (null when
/// absent: HttpClient's own ContentLength would report a buffered body's length instead), Allow, and the body.
/// </summary>
public sealed record HttpAnswer(int Status, string? ContentType, long? ContentLength, byte[] Body, HttpResponseHeaders Headers, string Allow)
{
    /// <summary>The body as UTF-8 text.</summary>
    public string Text => Encoding.UTF8.GetString(Body);

    public static async Task<HttpAnswer> ReadAsync(HttpResponseMessage response)
    {
        long? contentLength = response.Content.Headers.NonValidated.TryGetValues("Content-Length", out var values)
            ? long.Parse(values.ToString(), CultureInfo.InvariantCulture)
            : null;
        var body = await response.Content.ReadAsByteArrayAsync();
        return new HttpAnswer((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), contentLength, body, response.Headers, string.Join(", ", response.Content.Headers.Allow));
    }

    public override string ToString() => $"HTTP {Status} {ContentType} ({Body.Length} bytes): {(ContentType?.StartsWith("text/", System.StringComparison.Ordinal) == true ? Text : "binary")}";
}

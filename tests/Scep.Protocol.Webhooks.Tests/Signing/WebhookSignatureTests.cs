using System;
using System.Security.Cryptography;
using System.Text;

namespace Scep.Protocol.Webhooks.Tests.Signing;

/// <summary>The signature receivers check: HMAC-SHA256 over <c>timestamp.id.body</c>, fresh within the tolerance.</summary>
public class WebhookSignatureTests
{
    private const string Secret = "receiver-secret-0123456789abcdef-0123";
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"decision":"allow"}""");

    [Test]
    public void Compute_IsTheHexHmacSha256OfTimestampDotIdDotBody()
    {
        var timestamp = Now.ToUnixTimeSeconds();
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(timestamp + ".whd_1." + """{"decision":"allow"}"""));

        WebhookSignature.Compute(Secret, timestamp, "whd_1", Body).Should().Be("v1=" + Convert.ToHexStringLower(expected));
    }

    [Test]
    public void Verify_AcceptsAFreshSignature_AndOneOfSeveralValues()
    {
        var signature = WebhookSignature.Compute(Secret, Now.ToUnixTimeSeconds(), "whd_1", Body);

        WebhookSignature.Verify(Secret, WebhookSignature.FormatTimestamp(Now), "whd_1", Body, signature, Now.AddMinutes(4), WebhookSignature.DefaultTolerance).Should().BeTrue();
        WebhookSignature.Verify(Secret, WebhookSignature.FormatTimestamp(Now), "whd_1", Body, "v1=" + new string('0', 64) + ", " + signature, Now, WebhookSignature.DefaultTolerance).Should().BeTrue();
    }

    [TestCase("body")]
    [TestCase("id")]
    [TestCase("secret")]
    [TestCase("stale")]
    [TestCase("future")]
    [TestCase("no-timestamp")]
    [TestCase("bad-timestamp")]
    [TestCase("no-signature")]
    [TestCase("other-version")]
    public void Verify_RefusesAnythingChanged(string change)
    {
        var timestamp = WebhookSignature.FormatTimestamp(Now);
        var signature = WebhookSignature.Compute(Secret, Now.ToUnixTimeSeconds(), "whd_1", Body);
        var (secret, ts, id, body, sig, now) = (Secret, (string?)timestamp, "whd_1", Body, (string?)signature, Now);
        switch (change)
        {
            case "body": body = Encoding.UTF8.GetBytes("""{"decision":"allow" }"""); break;
            case "id": id = "whd_2"; break;
            case "secret": secret = "another-secret-0123456789abcdef-0123"; break;
            case "stale": now = Now.AddMinutes(6); break;
            case "future": now = Now.AddMinutes(-6); break;
            case "no-timestamp": ts = null; break;
            case "bad-timestamp": ts = "+" + timestamp; break;
            case "no-signature": sig = null; break;
            case "other-version": sig = "v0=" + signature[3..]; break;
        }

        WebhookSignature.Verify(secret, ts, id, body, sig, now, WebhookSignature.DefaultTolerance).Should().BeFalse();
    }
}

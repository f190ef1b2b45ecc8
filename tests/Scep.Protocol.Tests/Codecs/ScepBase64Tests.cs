using System;
using System.Linq;
using System.Text;

namespace Scep.Protocol.Tests.Codecs;

/// <summary>The GET <c>message</c> parameter as real clients send it (RFC 8894 §4.1; reference §2.3 and §13 #5).</summary>
public class ScepBase64Tests
{
    // 1000 seeded bytes: the standard base64 needs '+', '/' and one '=' of padding.
    private static readonly byte[] Message = CreateMessage();

    private static string Standard => Convert.ToBase64String(Message);

    private static byte[] CreateMessage()
    {
        var bytes = new byte[1000];
        new Random(8894).NextBytes(bytes);
        bytes[0] = 0x30;
        return bytes;
    }

    private static string Wrap(string text, string lineBreak) =>
        string.Join(lineBreak, Enumerable.Range(0, (text.Length + 63) / 64).Select(i => text.Substring(i * 64, Math.Min(64, text.Length - (i * 64)))));

    [Test]
    public void Message_HasEveryAwkwardCharacter()
    {
        Standard.Should().Contain("+").And.Contain("/").And.EndWith("=");
    }

    [Test]
    public void EncodeForQuery_EscapesPlusSlashAndEquals()
    {
        var value = ScepBase64.EncodeForQuery(Message);

        value.Should().Contain("%2B").And.Contain("%2F").And.EndWith("%3D");
        value.Should().NotContainAny("+", "/", "=");
        ScepBase64.DecodeQueryValue(value).Should().Equal(Message);
    }

    public static TestCaseData[] ClientEncodings() =>
    [
        new TestCaseData(Uri.EscapeDataString(Standard)).SetName("DecodeQueryValue_ProperPercentEscapes_DecodesToTheMessage"),
        new TestCaseData(Standard.Replace("+", "%2b", StringComparison.Ordinal).Replace("/", "%2f", StringComparison.Ordinal).Replace("=", "%3d", StringComparison.Ordinal))
            .SetName("DecodeQueryValue_LowerCasePercentEscapes_DecodesToTheMessage"),
        new TestCaseData(Standard).SetName("DecodeQueryValue_UnescapedStandardBase64_DecodesToTheMessage"),
        new TestCaseData(Standard.Replace('+', ' ')).SetName("DecodeQueryValue_PlusArrivingAsSpace_DecodesToTheMessage"),
        new TestCaseData(Uri.EscapeDataString(Standard).Replace("%2B", " ", StringComparison.Ordinal)).SetName("DecodeQueryValue_EscapedButPlusAsSpace_DecodesToTheMessage"),
        new TestCaseData(Standard.Replace("=", "%3D", StringComparison.Ordinal)).SetName("DecodeQueryValue_MacOsRawPlusSlashAndEscapedEquals_DecodesToTheMessage"),
        new TestCaseData(Standard.Replace('+', '-').Replace('/', '_')).SetName("DecodeQueryValue_Base64Url_DecodesToTheMessage"),
        new TestCaseData(Standard.Replace('+', '-').Replace('/', '_').TrimEnd('=')).SetName("DecodeQueryValue_Base64UrlWithoutPadding_DecodesToTheMessage"),
        new TestCaseData(Standard.TrimEnd('=')).SetName("DecodeQueryValue_StandardWithoutPadding_DecodesToTheMessage"),
        new TestCaseData(Wrap(Standard, "\n")).SetName("DecodeQueryValue_LineBreaksEvery64_DecodesToTheMessage"),
        new TestCaseData(Wrap(Standard, "\r\n")).SetName("DecodeQueryValue_CrLfEvery64_DecodesToTheMessage"),
        new TestCaseData(Wrap(Uri.EscapeDataString(Standard), "%0A")).SetName("DecodeQueryValue_CiscoPercent0AEvery64_DecodesToTheMessage"),
        new TestCaseData(Wrap(Standard, "%0D%0A")).SetName("DecodeQueryValue_PercentCrLfEvery64_DecodesToTheMessage"),
    ];

    [TestCaseSource(nameof(ClientEncodings))]
    public void DecodeQueryValue_EveryClientEncoding_DecodesToIdenticalBytes(string value)
    {
        ScepBase64.DecodeQueryValue(value).Should().Equal(Message);
    }

    [TestCase("MII*")]
    [TestCase("MIIB!AAA")]
    [TestCase("MIIB%")]
    [TestCase("MIIB%ZZ")]
    [TestCase("MIIB%00AA")]
    [TestCase("MIIBäAAA")]
    [TestCase("MIIB@AAA")]
    [TestCase("MIIB.AAA")]
    [TestCase("MIIB%C3%A4AA")]
    public void DecodeQueryValue_CharacterOutsideBase64_IsMalformed(string value)
    {
        var error = FluentActions.Invoking(() => ScepBase64.DecodeQueryValue(value)).Should().Throw<ScepException>().Which;

        error.Reason.Should().Be(ScepError.Malformed);
        error.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [TestCase("A")]
    [TestCase("MIIBA")]
    [TestCase("MIIBA===")]
    public void DecodeQueryValue_LengthNoBase64CanHave_IsMalformed(string value)
    {
        FluentActions.Invoking(() => ScepBase64.DecodeQueryValue(value)).Should().Throw<ScepException>()
            .Which.Reason.Should().Be(ScepError.Malformed);
    }

    [Test]
    public void DecodeQueryValue_DecodedLengthOverTheLimit_IsLimitExceeded()
    {
        var error = FluentActions.Invoking(() => ScepBase64.DecodeQueryValue(Standard, maxDecodedLength: Message.Length - 1))
            .Should().Throw<ScepException>().Which;

        error.Reason.Should().Be(ScepError.LimitExceeded);
        error.FailInfo.Should().Be(FailInfo.BadRequest);
    }

    [Test]
    public void DecodeQueryValue_DecodedLengthAtTheLimit_Decodes()
    {
        ScepBase64.DecodeQueryValue(Standard, maxDecodedLength: Message.Length).Should().Equal(Message);
    }

    [Test]
    public void DecodeQueryValue_TextFarLongerThanTheLimitAllows_IsLimitExceededBeforeDecoding()
    {
        var huge = new StringBuilder().Append('A', 1_000_000).ToString();

        FluentActions.Invoking(() => ScepBase64.DecodeQueryValue(huge, maxDecodedLength: 1000))
            .Should().Throw<ScepException>().Which.Reason.Should().Be(ScepError.LimitExceeded);
    }

    [Test]
    public void DecodeQueryValue_Null_IsAnArgumentError()
    {
        FluentActions.Invoking(() => ScepBase64.DecodeQueryValue(null!)).Should().Throw<ArgumentNullException>();
    }
}

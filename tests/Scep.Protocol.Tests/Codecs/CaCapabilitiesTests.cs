using System;
using System.Security.Cryptography;

namespace Scep.Protocol.Tests.Codecs;

/// <summary>GetCACaps parsing, formatting and algorithm choice (RFC 8894 §3.5.2; reference §3.1 and §13 #2).</summary>
public class CaCapabilitiesTests
{
    private static readonly ScepAlgorithmPolicy DesOnly = ScepAlgorithmPolicy.Legacy.WithContentEncryptionAlgorithms([ContentEncryptionAlgorithm.DesCbc]);
    private static readonly ScepAlgorithmPolicy Md5Only = ScepAlgorithmPolicy.Legacy.WithDigestAlgorithms([HashAlgorithmName.MD5]);

    [TestCase("AES\nPOSTPKIOperation\nSHA-256\nRenewal")]
    [TestCase("AES\r\nPOSTPKIOperation\r\nSHA-256\r\nRenewal\r\n")]
    [TestCase("aes\npostpkioperation\nsha-256\nRENEWAL\n")]
    [TestCase("  AES  \n\n\t POSTPKIOperation\t\n\r\n SHA-256 \nRenewal   \n\n")]
    [TestCase("Renewal\nSHA-256\nAES\nPOSTPKIOperation")]
    public void Parse_LineEndingsCaseAndWhitespace_GiveTheSameSet(string body)
    {
        var capabilities = CaCapabilities.Parse(body);

        capabilities.Advertised.Should().BeEquivalentTo([CaCapability.Aes, CaCapability.PostPkiOperation, CaCapability.Sha256, CaCapability.Renewal]);
        capabilities.OtherKeywords.Should().BeEmpty();
        capabilities.IsEmpty.Should().BeFalse();
    }

    [Test]
    public void Parse_OddCasePostPkiOperation_IsRecognised()
    {
        // jscep #137: a server sent "PostPkiOperation".
        var capabilities = CaCapabilities.Parse("PostPkiOperation");

        capabilities.Supports(CaCapability.PostPkiOperation).Should().BeTrue();
        capabilities.UsePost.Should().BeTrue();
    }

    [Test]
    public void Parse_UnknownAndPrivateKeywords_AreKeptAsSentAndDoNotDisturbTheRest()
    {
        var capabilities = CaCapabilities.Parse("SHA-1\nExample.com-CapabilityName\nFrobnicate\nDES3\nexample.com-capabilityname\n");

        capabilities.Advertised.Should().BeEquivalentTo([CaCapability.Sha1, CaCapability.Des3]);
        capabilities.OtherKeywords.Should().Equal("Example.com-CapabilityName", "Frobnicate");
        capabilities.Contains("EXAMPLE.COM-CAPABILITYNAME").Should().BeTrue();
        capabilities.Contains(" Frobnicate ").Should().BeTrue();
        capabilities.Contains("des3").Should().BeTrue();
        capabilities.Contains("AES").Should().BeFalse();
        capabilities.Contains("Unheard-Of").Should().BeFalse();
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    [TestCase("\r\n\r\n")]
    public void Parse_EmptyOrNullBody_IsEmpty(string? body)
    {
        var capabilities = CaCapabilities.Parse(body);

        capabilities.IsEmpty.Should().BeTrue();
        capabilities.Advertised.Should().BeEmpty();
        capabilities.UsePost.Should().BeFalse();
        capabilities.Format().Should().BeEmpty();
    }

    [Test]
    public void Supports_ScepStandard_ImpliesAesPostAndSha256Only()
    {
        var capabilities = CaCapabilities.Parse("SCEPStandard");

        capabilities.Supports(CaCapability.Aes).Should().BeTrue();
        capabilities.Supports(CaCapability.PostPkiOperation).Should().BeTrue();
        capabilities.Supports(CaCapability.Sha256).Should().BeTrue();
        capabilities.UsePost.Should().BeTrue();
        capabilities.Supports(CaCapability.Sha512).Should().BeFalse();
        capabilities.Supports(CaCapability.Des3).Should().BeFalse();
        capabilities.Supports(CaCapability.Renewal).Should().BeFalse();
        capabilities.Advertised.Should().BeEquivalentTo([CaCapability.ScepStandard], "implications are not advertisements");
        capabilities.SelectContentEncryption().Should().Be(ContentEncryptionAlgorithm.Aes128Cbc);
        capabilities.SelectDigest().Should().Be(HashAlgorithmName.SHA256);
    }

    [Test]
    public void Format_EveryCapability_EmitsTheExactKeywordsOnePerLine()
    {
        var capabilities = CaCapabilities.Create(Enum.GetValues<CaCapability>(), ["Example.com-Name"]);

        capabilities.Format().Should().Be(
            "AES\nDES3\nGetNextCACert\nPOSTPKIOperation\nRenewal\nSHA-1\nSHA-256\nSHA-512\nSCEPStandard\nUpdate\nExample.com-Name\n");
    }

    [Test]
    public void Format_ThenParse_RoundTrips()
    {
        var created = CaCapabilities.Create([CaCapability.Renewal, CaCapability.Sha512, CaCapability.GetNextCACert], ["Example.com-Name"]);

        var parsed = CaCapabilities.Parse(created.Format());

        parsed.Advertised.Should().BeEquivalentTo(created.Advertised);
        parsed.OtherKeywords.Should().Equal("Example.com-Name");
    }

    [TestCase(CaCapability.Aes, "AES")]
    [TestCase(CaCapability.Des3, "DES3")]
    [TestCase(CaCapability.GetNextCACert, "GetNextCACert")]
    [TestCase(CaCapability.PostPkiOperation, "POSTPKIOperation")]
    [TestCase(CaCapability.Renewal, "Renewal")]
    [TestCase(CaCapability.Sha1, "SHA-1")]
    [TestCase(CaCapability.Sha256, "SHA-256")]
    [TestCase(CaCapability.Sha512, "SHA-512")]
    [TestCase(CaCapability.ScepStandard, "SCEPStandard")]
    [TestCase(CaCapability.Update, "Update")]
    public void KeywordOf_EachCapability_IsTheRegisteredSpelling(CaCapability capability, string keyword)
    {
        CaCapabilities.KeywordOf(capability).Should().Be(keyword);
    }

    [Test]
    public void Create_KeywordWithLineBreak_IsRejected()
    {
        FluentActions.Invoking(() => CaCapabilities.Create([], ["Evil\nAES"])).Should().Throw<ArgumentException>();
    }

    [TestCase("AES\nDES3", ContentEncryptionAlgorithm.Aes128Cbc)]
    [TestCase("DES3", ContentEncryptionAlgorithm.TripleDesCbc)]
    [TestCase("SCEPStandard\nDES3", ContentEncryptionAlgorithm.Aes128Cbc)]
    [TestCase("POSTPKIOperation\nRenewal", ContentEncryptionAlgorithm.TripleDesCbc)]
    [TestCase("", ContentEncryptionAlgorithm.TripleDesCbc)]
    public void SelectContentEncryption_DefaultClient_PicksTheStrongestCommonOrTheRfcFloor(string body, ContentEncryptionAlgorithm expected)
    {
        CaCapabilities.Parse(body).SelectContentEncryption().Should().Be(expected);
    }

    [TestCase("SHA-512\nSHA-256\nSHA-1", "SHA512")]
    [TestCase("SHA-1\nSHA-256", "SHA256")]
    [TestCase("SHA-1", "SHA1")]
    [TestCase("SCEPStandard\nSHA-512", "SHA512")]
    [TestCase("AES\nRenewal", "SHA1")]
    [TestCase("", "SHA1")]
    public void SelectDigest_DefaultClient_PicksTheStrongestCommonOrTheRfcFloor(string body, string expected)
    {
        CaCapabilities.Parse(body).SelectDigest().Should().Be(new HashAlgorithmName(expected));
    }

    [Test]
    public void SelectContentEncryption_StrictClientAndAServerWithOnlyDes3_HasNothingInCommon()
    {
        var error = FluentActions.Invoking(() => CaCapabilities.Parse("DES3").SelectContentEncryption(ScepAlgorithmPolicy.Strict))
            .Should().Throw<ScepException>().Which;

        error.Reason.Should().Be(ScepError.AlgorithmNotAllowed);
        error.FailInfo.Should().Be(FailInfo.BadAlg);
    }

    [Test]
    public void SelectDigest_StrictClientAndAServerWithOnlySha1_HasNothingInCommon()
    {
        FluentActions.Invoking(() => CaCapabilities.Parse("SHA-1").SelectDigest(ScepAlgorithmPolicy.Strict))
            .Should().Throw<ScepException>().Which.Reason.Should().Be(ScepError.AlgorithmNotAllowed);
    }

    [Test]
    public void SelectContentEncryption_StrictClientAndNoCapabilities_HasNothingInCommon()
    {
        // The RFC floor is 3DES; a client that refuses it has no choice left, and single DES is not offered.
        FluentActions.Invoking(() => CaCapabilities.Empty.SelectContentEncryption(ScepAlgorithmPolicy.Strict))
            .Should().Throw<ScepException>().Which.Reason.Should().Be(ScepError.AlgorithmNotAllowed);
    }

    [Test]
    public void SelectContentEncryption_LegacyClientAndNoCapabilities_StillPrefersTripleDesToDes()
    {
        CaCapabilities.Empty.SelectContentEncryption(ScepAlgorithmPolicy.Legacy).Should().Be(ContentEncryptionAlgorithm.TripleDesCbc);
        CaCapabilities.Empty.SelectDigest(ScepAlgorithmPolicy.Legacy).Should().Be(HashAlgorithmName.SHA1);
    }

    [Test]
    public void SelectContentEncryption_ClientAllowingOnlyDesAndNoCapabilities_FallsBackToDes()
    {
        CaCapabilities.Empty.SelectContentEncryption(DesOnly).Should().Be(ContentEncryptionAlgorithm.DesCbc);
    }

    [Test]
    public void SelectContentEncryption_ClientAllowingOnlyDesAndAServerNamingCiphers_HasNothingInCommon()
    {
        // The server named its ciphers, and single DES is not among them.
        FluentActions.Invoking(() => CaCapabilities.Parse("DES3\nAES").SelectContentEncryption(DesOnly))
            .Should().Throw<ScepException>().Which.Reason.Should().Be(ScepError.AlgorithmNotAllowed);
    }

    [Test]
    public void SelectDigest_ClientAllowingOnlyMd5AndNoCapabilities_FallsBackToMd5()
    {
        CaCapabilities.Empty.SelectDigest(Md5Only).Should().Be(HashAlgorithmName.MD5);
        FluentActions.Invoking(() => CaCapabilities.Parse("SHA-1").SelectDigest(Md5Only))
            .Should().Throw<ScepException>().Which.Reason.Should().Be(ScepError.AlgorithmNotAllowed);
    }

    [Test]
    public void SelectDigest_ServerOffersSha512ButClientAllowsOnlySha256AndSha1_PicksSha256()
    {
        var client = ScepAlgorithmPolicy.Default.WithDigestAlgorithms([HashAlgorithmName.SHA1, HashAlgorithmName.SHA256]);

        CaCapabilities.Parse("SHA-512\nSHA-256\nSHA-1").SelectDigest(client).Should().Be(HashAlgorithmName.SHA256);
    }

    [Test]
    public void ToString_ListsTheKeywordsOnOneLine()
    {
        CaCapabilities.Create([CaCapability.Aes, CaCapability.Renewal]).ToString().Should().Be("AES Renewal");
    }
}

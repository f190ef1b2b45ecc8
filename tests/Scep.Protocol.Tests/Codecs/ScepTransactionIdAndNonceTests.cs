using System;
using System.Linq;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Tests.Codecs;

/// <summary>transactionID and nonce generation (RFC 8894 §3.2.1.1 and §3.2.1.5; reference §4.2).</summary>
public partial class ScepTransactionIdAndNonceTests
{
    // The PrintableString alphabet (X.680 §41.4).
    [GeneratedRegex(@"^[A-Za-z0-9 '()+,\-./:=?]+$")]
    private static partial Regex PrintableString();

    [Test]
    public void CreateRandom_Is32UpperCaseHexCharactersAndPrintable()
    {
        var transactionId = ScepTransactionId.CreateRandom();

        transactionId.Should().MatchRegex("^[0-9A-F]{32}$");
        PrintableString().IsMatch(transactionId).Should().BeTrue();
    }

    [Test]
    public void CreateRandom_TwoCalls_Differ()
    {
        ScepTransactionId.CreateRandom().Should().NotBe(ScepTransactionId.CreateRandom());
    }

    [TestCase("MD5", 32)]
    [TestCase("SHA1", 40)]
    [TestCase("SHA256", 64)]
    [TestCase("SHA384", 96)]
    [TestCase("SHA512", 128)]
    public void FromPublicKey_EachHash_IsUpperCaseHexOfTheSpkiDigest(string hash, int length)
    {
        var key = TestPki.CreateSelfSigned("CN=tid", TestPki.CachedRsa(110, 1024)).Certificate.PublicKey;
        var name = new HashAlgorithmName(hash);

        var transactionId = ScepTransactionId.FromPublicKey(key, name);

        transactionId.Should().HaveLength(length).And.MatchRegex("^[0-9A-F]+$");
        transactionId.Should().Be(Convert.ToHexString(CryptographicOperations.HashData(name, key.ExportSubjectPublicKeyInfo())));
        PrintableString().IsMatch(transactionId).Should().BeTrue();
    }

    [Test]
    public void FromPublicKey_SameKeyAndHash_IsDeterministic()
    {
        var first = TestPki.CreateSelfSigned("CN=first", TestPki.CachedRsa(110, 1024)).Certificate.PublicKey;
        var second = TestPki.CreateSelfSigned("CN=second certificate with the same key", TestPki.CachedRsa(110, 1024)).Certificate.PublicKey;

        ScepTransactionId.FromPublicKey(first).Should().Be(ScepTransactionId.FromPublicKey(second));
        ScepTransactionId.FromPublicKey(first).Should().Be(ScepTransactionId.FromPublicKey(first, HashAlgorithmName.SHA256), "SHA-256 is the default");
        ScepTransactionId.FromPublicKey(first, HashAlgorithmName.SHA1).Should().NotBe(ScepTransactionId.FromPublicKey(first));
    }

    [Test]
    public void FromPublicKey_DifferentKeys_Differ()
    {
        var one = TestPki.CreateSelfSigned("CN=tid", TestPki.CachedRsa(110, 1024)).Certificate.PublicKey;
        var other = TestPki.CreateSelfSigned("CN=tid", TestPki.CachedRsa(111, 1024)).Certificate.PublicKey;

        ScepTransactionId.FromPublicKey(one).Should().NotBe(ScepTransactionId.FromPublicKey(other));
    }

    [Test]
    public void FromPublicKey_EcKey_Works()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = TestPki.CreateSelfSigned("CN=ec", ec).Certificate.PublicKey;

        ScepTransactionId.FromPublicKey(key).Should().HaveLength(64);
    }

    [Test]
    public void FromPublicKey_HashScepDoesNotKnow_IsAnArgumentError()
    {
        var key = TestPki.CreateSelfSigned("CN=tid", TestPki.CachedRsa(110, 1024)).Certificate.PublicKey;

        FluentActions.Invoking(() => ScepTransactionId.FromPublicKey(key, HashAlgorithmName.SHA3_256)).Should().Throw<ArgumentException>();
    }

    [Test]
    public void TransactionIds_FromEveryGenerator_AreAcceptedInAMessage()
    {
        var client = TestPki.CreateSelfSigned("CN=tid", TestPki.CachedRsa(110, 1024));
        var csr = Scenario.Csr("CN=tid", client.Key);

        foreach (var transactionId in new[] { ScepTransactionId.CreateRandom(), ScepTransactionId.FromPublicKey(client.Certificate.PublicKey, HashAlgorithmName.SHA512) })
        {
            var request = PkiMessage.CreatePkcsReq(csr, Scenario.RequestParameters(client, TestPki.Ca.Certificate, transactionId: transactionId));

            PkiMessage.Decode(request.Encode()).TransactionId.Should().Be(transactionId);
        }
    }

    [Test]
    public void NonceCreate_Default_Is16Bytes()
    {
        ScepNonce.DefaultLength.Should().Be(16);
        ScepNonce.Create().Should().HaveCount(16);
    }

    [TestCase(8)]
    [TestCase(32)]
    public void NonceCreate_GivenLength_HasThatLength(int length)
    {
        ScepNonce.Create(length).Should().HaveCount(length);
    }

    [Test]
    public void NonceCreate_TwoCalls_Differ()
    {
        ScepNonce.Create().Should().NotEqual(ScepNonce.Create());
    }

    [Test]
    public void CreateRequest_WithoutSenderNonce_GetsAFresh16ByteNonceEachTime()
    {
        var client = TestPki.CreateSelfSigned("CN=nonce", TestPki.CachedRsa(110, 1024));
        var csr = Scenario.Csr("CN=nonce", client.Key);
        var parameters = Scenario.RequestParameters(client, TestPki.Ca.Certificate);

        var nonces = Enumerable.Range(0, 2).Select(_ => PkiMessage.CreatePkcsReq(csr, parameters).SenderNonce.ToArray()).ToList();

        nonces.Should().AllSatisfy(n => n.Should().HaveCount(16));
        nonces[0].Should().NotEqual(nonces[1]);
    }
}

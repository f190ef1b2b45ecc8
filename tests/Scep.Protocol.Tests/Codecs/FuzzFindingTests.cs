using System;
using System.Formats.Asn1;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Scep.Fuzz;
using Scep.Protocol.Internal;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Tests.Codecs;

/// <summary>
/// Regression tests for what the coverage-guided fuzzer (fuzz/run.sh, AFL++ with SharpFuzz) found, each as a
/// small hand-built case, plus a replay of the recorded inputs in TestVectors/FuzzFindings through the fuzz
/// target itself (fuzz/Scep.Fuzz/DecoderTarget.cs, compiled into this assembly).
/// </summary>
public class FuzzFindingTests
{
    private static readonly Asn1Tag UniversalStringTag = new(UniversalTagNumber.UniversalString);

    private static AsnNode UniversalString(string value) =>
        AsnNode.Primitive(UniversalStringTag, new UTF32Encoding(bigEndian: true, byteOrderMark: false).GetBytes(value));

    private static byte[] RequestWithTransactionId(AsnNode transactionId)
    {
        var (request, client, _) = Scenario.PkcsReq(TestPki.Ca);
        return MessageSurgery.Edit(request, m => m.SetAttribute(ScepOids.TransactionId, transactionId).Resign(client.Key));
    }

    // Found in the first minute: AsnReader has no UniversalString decoder and threw ArgumentOutOfRangeException
    // out of PkiMessage.Decode (a server would have answered 500).
    [Test]
    public void Decode_TransactionIdAsUniversalString_IsReadAsUcs4()
    {
        var message = PkiMessage.Decode(RequestWithTransactionId(UniversalString("tid-𝄞-1")));

        message.TransactionId.Should().Be("tid-𝄞-1");
    }

    [TestCase(new byte[] { 0, 0, 0 }, TestName = "Decode_UniversalStringOfThreeOctets_IsInvalidAttribute")]
    [TestCase(new byte[] { 0, 0x11, 0, 0 }, TestName = "Decode_UniversalStringBeyondUnicode_IsInvalidAttribute")]
    [TestCase(new byte[] { 0, 0, 0xD8, 0 }, TestName = "Decode_UniversalStringWithASurrogate_IsInvalidAttribute")]
    public void Decode_MalformedUniversalString_IsInvalidAttribute(byte[] octets)
    {
        var encoded = RequestWithTransactionId(AsnNode.Primitive(UniversalStringTag, octets));

        FluentActions.Invoking(() => PkiMessage.Decode(encoded)).Should().Throw<ScepException>()
            .Which.Reason.Should().Be(ScepError.InvalidAttribute);
    }

    [Test]
    public void Decode_TransactionIdAsConstructedUniversalString_IsInvalidAttribute()
    {
        var encoded = RequestWithTransactionId(AsnNode.Constructed(UniversalStringTag, UniversalString("a")));

        FluentActions.Invoking(() => PkiMessage.Decode(encoded)).Should().Throw<ScepException>()
            .Which.Reason.Should().Be(ScepError.InvalidAttribute);
    }

    // The same finding in the PKCS#10 decoder: the subject's common name and the challengePassword.
    [Test]
    public void Pkcs10Decode_UniversalStringCommonNameAndChallenge_AreRead()
    {
        var key = TestPki.CachedRsa(80, 1024);
        var plain = new Pkcs10RequestBuilder(new X500DistinguishedName("CN=placeholder")).Build(key, HashAlgorithmName.SHA256);
        var edited = MessageSurgery.EditSigned(plain.RawData, info =>
        {
            info.Children[1] = AsnNode.Sequence(AsnNode.Set(AsnNode.Sequence(AsnNode.ObjectIdentifier(ScepOids.CommonName), UniversalString("device-ü"))));
            info.Children[^1].Children.Add(AsnNode.Sequence(AsnNode.ObjectIdentifier(ScepOids.ChallengePassword), AsnNode.Set(UniversalString("pässwörd"))));
        }, key, HashAlgorithmName.SHA256);

        var request = Pkcs10Request.Decode(edited);

        request.CommonName.Should().Be("device-ü");
        request.ChallengePassword.Should().Be("pässwörd");
        request.ChallengePasswordEncoding.Should().Be(UniversalTagNumber.UniversalString);
        request.VerifyProofOfPossession();
    }

    /// <summary>Every input the fuzzer recorded as a crash or hang, replayed through the fuzz target: only ScepException may escape it.</summary>
    [Test]
    public void FuzzTarget_RecordedFindings_OnlyScepExceptionEscapes()
    {
        var target = new DecoderTarget(FuzzPki.Load(TestVectors.Directory));
        var findings = Directory.GetFiles(TestVectors.PathOf("FuzzFindings")).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();

        findings.Should().NotBeEmpty();
        var escaped = findings
            .Select(file => (File: Path.GetFileName(file), Error: Record.Exception(() => target.Run(File.ReadAllBytes(file)))))
            .Where(r => r.Error is not null)
            .Select(r => $"{r.File}: {r.Error!.GetType().Name}: {r.Error.Message}")
            .ToList();
        escaped.Should().BeEmpty();
    }

    /// <summary>The seeds the fuzzer starts from are valid inputs: each one decodes, verifies and decrypts without a ScepException.</summary>
    [Test]
    public void FuzzTarget_Seeds_AreAcceptedWhole()
    {
        var target = new DecoderTarget(FuzzPki.Load(TestVectors.Directory)) { RethrowRejections = true };
        var seeds = Directory.GetFiles(Path.Combine(RepositoryRoot(), "fuzz", "seeds"));

        seeds.Should().HaveCountGreaterThan(20);
        foreach (var seed in seeds)
        {
            FluentActions.Invoking(() => target.Run(File.ReadAllBytes(seed))).Should().NotThrow(Path.GetFileName(seed));
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Scep.Protocol.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root was not found above the test directory.");
    }
}

/// <summary><see cref="Record.Exception"/> in the style of xUnit: the exception an action throws, or null.</summary>
internal static class Record
{
    public static Exception? Exception(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}

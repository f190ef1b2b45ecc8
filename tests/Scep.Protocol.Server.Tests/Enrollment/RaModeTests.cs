using System.Threading.Tasks;
using Scep.Protocol.Server.Tests.Infrastructure;

namespace Scep.Protocol.Server.Tests.Enrollment;

/// <summary>Issue point 3: RA mode creates or updates the entity from the request; a pluggable validator checks the challenge.</summary>
public class RaModeTests
{
    [Test]
    public async Task PkcsReq_WithTheStaticChallenge_CreatesTheEntityWithAliasDefaultsAndIssues()
    {
        using var server = ServerHarness.Create(o => o.Aliases["ra"].RaEntityDefaults["certificateProfile"] = "ENDUSER");
        var client = server.NewClient("CN=ise-device-7,O=Example", "ra-secret");

        var reply = await client.EnrollAsync("ra");

        client.IssuedFrom(reply).Subject.Should().Be("CN=ise-device-7, O=Example");
        var entity = await server.Entities.FindAsync("ise-device-7", default);
        entity!.Status.Should().Be(EndEntityStatus.Generated);
        entity.Alias.Should().Be("ra");
        entity.ProfileData.Should().Contain("certificateProfile", "ENDUSER");
    }

    [Test]
    public async Task PkcsReq_WithAWrongChallenge_IsRefusedAndCreatesNothing()
    {
        using var server = ServerHarness.Create();

        var reply = await server.NewClient("CN=ise-device-7", "guess").EnrollAsync("ra");

        reply.Status.Should().Be(PkiStatus.Failure);
        reply.FailInfo.Should().Be(FailInfo.BadRequest);
        (await server.Entities.FindAsync("ise-device-7", default)).Should().BeNull();
    }

    [Test]
    public async Task PkcsReq_ValidatedByAHostCallback_SeesTheChallengeAndTheRequest()
    {
        ChallengeValidationContext? seen = null;
        using var server = ServerHarness.Create(
            o => o.Aliases["ra"].RaChallenge = null,
            b => b.AddChallengeValidator((context, _) =>
            {
                seen = context;
                return ValueTask.FromResult(context.ChallengePassword == "dynamic-42" && context.CertificationRequest.CommonName == "mdm-device");
            }));

        var ok = await server.NewClient("CN=mdm-device", "dynamic-42").EnrollAsync("ra");
        var refused = await server.NewClient("CN=mdm-device", "dynamic-41", keySlot: 12).EnrollAsync("ra");

        ok.Status.Should().Be(PkiStatus.Success);
        refused.Status.Should().Be(PkiStatus.Failure);
        seen!.Alias.Should().Be("ra");
    }

    [Test]
    public async Task PkcsReq_ForAnExistingEntity_UpdatesItsSubjectAndIssuesAgain()
    {
        using var server = ServerHarness.Create();
        (await server.NewClient("CN=ise-device-7,O=Old", "ra-secret", keySlot: 10).EnrollAsync("ra")).Status.Should().Be(PkiStatus.Success);

        var reply = await server.NewClient("CN=ise-device-7,O=New", "ra-secret", keySlot: 11).EnrollAsync("ra");

        reply.Status.Should().Be(PkiStatus.Success);
        (await server.Entities.FindAsync("ise-device-7", default))!.SubjectDn.Should().Be("CN=ise-device-7, O=New");
    }
}

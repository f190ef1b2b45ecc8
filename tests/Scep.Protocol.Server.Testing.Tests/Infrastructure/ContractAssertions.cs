using System.Threading.Tasks;

namespace Scep.Protocol.Server.Testing.Tests.Infrastructure;

public static class ContractAssertions
{
    /// <summary>Runs a check that must fail, and returns how.</summary>
    public static async Task<StoreContractException> FailsAsync(this ScepStoreContract contract, string check)
    {
        var failure = (await FluentActions.Awaiting(() => contract.RunAsync(check)).Should().ThrowAsync<StoreContractException>()).Which;
        failure.CheckName.Should().Be(check);
        failure.Message.Should().Be($"{check}: expected {failure.Expected}; found {failure.Found}.");
        return failure;
    }

    /// <summary>Runs a check that must pass.</summary>
    public static async Task PassesAsync(this ScepStoreContract contract, string check) =>
        await FluentActions.Awaiting(() => contract.RunAsync(check)).Should().NotThrowAsync();
}

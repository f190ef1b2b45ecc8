using System;
using System.Threading.Tasks;

namespace Scep.Protocol.Server.Testing.Checks;

/// <summary>One rule of the store contract, named for the rule.</summary>
/// <param name="Name">The name (<c>Store_Operation_Scenario_Expectation</c>).</param>
/// <param name="NeedsCertificateStore">Whether it checks <see cref="ICertificateStore"/>.</param>
/// <param name="RunAsync">Runs it; throws <see cref="StoreContractException"/> when the stores break the rule.</param>
internal sealed record ContractCheck(string Name, bool NeedsCertificateStore, Func<CheckContext, Task> RunAsync);

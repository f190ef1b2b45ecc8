using System;
using System.Collections.Generic;
using System.Linq;

namespace Scep.Protocol.Server.Testing.Checks;

/// <summary>Every check, by store: end entities, transactions, certificates (with CRLs and approvals), then the pipeline.</summary>
internal static class CheckCatalog
{
    public static IReadOnlyList<ContractCheck> All { get; } =
    [
        .. EndEntityChecks.All,
        .. TransactionChecks.All,
        .. CertificateChecks.All,
        .. CrlChecks.All,
        .. ApprovalChecks.All,
        .. PipelineChecks.All,
    ];

    private static readonly Dictionary<string, ContractCheck> ByName = All.ToDictionary(c => c.Name, StringComparer.Ordinal);

    public static ContractCheck? Find(string name) => ByName.GetValueOrDefault(name);
}

using System.Collections.Generic;

namespace Scep.SampleHost.Admin;

/// <summary>The admin commands, in the order <c>--help</c> lists them.</summary>
internal static class AdminCommandSet
{
    public static IReadOnlyList<AdminCommand> Create() =>
    [
        new AddEntityCommand(),
        new ResetEntityCommand(),
        new ListEntitiesCommand(),
        new ListPendingCommand(),
        new ListCertificatesCommand(),
        new ApproveCommand(),
        new RejectCommand(),
        new RevokeCommand(),
        new IssueCrlCommand(),
        new ShowCaCommand(),
        new RolloverCaCommand(),
        new HashPasswordCommand(),
    ];
}

using System.CommandLine;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.SampleHost.Admin;

/// <summary><c>list-pending</c>: the requests waiting for approve or reject.</summary>
internal sealed class ListPendingCommand() : AdminCommand("list-pending", "requests waiting for approval (aliases in SampleHost:ApprovalAliases)")
{
    public override async Task RunAsync(ParseResult parse, Administration admin, TextWriter output, CancellationToken cancellationToken)
    {
        var pending = await admin.ListPendingAsync(cancellationToken).ConfigureAwait(false);
        await AdminOutput.WriteTableAsync(output, ["ID", "ALIAS", "SUBJECT", "TRANSACTION", "REQUESTED"], pending.Select(p => new[]
        {
            p.Id, p.Alias, p.Subject, p.TransactionId, AdminOutput.Time(p.RequestedAt),
        })).ConfigureAwait(false);
        await output.WriteLineAsync($"{pending.Count} pending requests").ConfigureAwait(false);
    }
}

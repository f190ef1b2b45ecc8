using System.CommandLine;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.SampleHost.Admin;

/// <summary><c>list-entities</c>: the end entities and their status.</summary>
internal sealed class ListEntitiesCommand() : AdminCommand("list-entities", "end entities and their status")
{
    public override async Task RunAsync(ParseResult parse, Administration admin, TextWriter output, CancellationToken cancellationToken)
    {
        var entities = await admin.ListEntitiesAsync(cancellationToken).ConfigureAwait(false);
        await AdminOutput.WriteTableAsync(output, ["USERNAME", "STATUS", "ALIAS", "DN", "CHANGED"], entities.Select(e => new[]
        {
            e.Username, e.Status.ToString().ToUpperInvariant(), e.Alias ?? "*", e.SubjectDn ?? "(from request)", AdminOutput.Time(e.StatusChangedAt),
        })).ConfigureAwait(false);
        await output.WriteLineAsync($"{entities.Count} end entities").ConfigureAwait(false);
    }
}

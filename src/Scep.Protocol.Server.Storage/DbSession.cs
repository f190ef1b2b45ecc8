using System;
using System.Collections.Generic;
using System.Data;
using System.Data.Common;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server.Storage;

/// <summary>
/// One unit of work on a connection of a <see cref="ScepDatabase"/>: one statement, or the statements of one
/// transaction (<see cref="Transaction"/>). Disposing it gives the connection back. Not for concurrent use, and no
/// session may be opened while the same flow holds one (SQLite has a single connection: that would wait forever).
/// </summary>
internal abstract class DbSession : IAsyncDisposable
{
    public abstract DbConnection Connection { get; }

    /// <summary>The transaction the statements run in, if any.</summary>
    public DbTransaction? Transaction { get; set; }

    public ValueTask<int> ExecuteAsync(string sql, IReadOnlyList<(string Name, object? Value)> parameters, CancellationToken cancellationToken) =>
        RunAsync(sql, parameters, static (command, token) => command.ExecuteNonQueryAsync(token), cancellationToken);

    public ValueTask<List<T>> QueryAsync<T>(string sql, IReadOnlyList<(string Name, object? Value)> parameters, Func<DbDataReader, T> read, CancellationToken cancellationToken) =>
        RunAsync(
            sql,
            parameters,
            async (command, token) =>
            {
                var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var rows = new List<T>();
                    while (await reader.ReadAsync(token).ConfigureAwait(false))
                    {
                        rows.Add(read(reader));
                    }

                    return rows;
                }
            },
            cancellationToken);

    public abstract ValueTask DisposeAsync();

    /// <summary>A command with <paramref name="sql"/> as its text and no parameters; it may have run before.</summary>
    protected abstract DbCommand GetCommand(string sql);

    /// <summary>The command has run or failed; by default it is disposed.</summary>
    protected virtual ValueTask ReturnCommandAsync(DbCommand command) => command.DisposeAsync();

    /// <summary>A statement failed with a database error (the exception is thrown on after this).</summary>
    protected virtual void OnFailure(DbException exception)
    {
    }

    /// <summary>
    /// Binds the parameters and runs the statement; the command goes back through <see cref="ReturnCommandAsync"/>
    /// whatever happens, binding included, so a kept command never carries the values of an earlier use.
    /// </summary>
    private async ValueTask<T> RunAsync<T>(string sql, IReadOnlyList<(string Name, object? Value)> parameters, Func<DbCommand, CancellationToken, Task<T>> run, CancellationToken cancellationToken)
    {
        var command = GetCommand(sql);
        try
        {
            command.Transaction = Transaction;
            foreach (var (name, value) in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value ?? DBNull.Value;
                if (value is byte[])
                {
                    parameter.DbType = DbType.Binary;
                }

                command.Parameters.Add(parameter);
            }

            return await run(command, cancellationToken).ConfigureAwait(false);
        }
        catch (DbException e)
        {
            OnFailure(e);
            throw;
        }
        finally
        {
            await ReturnCommandAsync(command).ConfigureAwait(false);
        }
    }
}

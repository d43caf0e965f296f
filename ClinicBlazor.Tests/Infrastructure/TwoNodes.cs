using ClinicBlazor.Data;

namespace ClinicBlazor.Tests.Infrastructure;

/// <summary>Two app nodes on one database: node B starts on node A's database once A has migrated and seeded it.</summary>
public sealed class TwoNodes(DatabaseProvider provider) : IAsyncDisposable
{
    public ClinicAppFactory A { get; } = ClinicAppFactory.On(provider);

    public ClinicAppFactory B { get; private set; } = null!;

    public void Start()
    {
        A.StartServer();
        B = ClinicAppFactory.On(provider).With("ConnectionStrings:Clinic", A.ConnectionString);
        B.StartServer();
    }

    public async ValueTask DisposeAsync()
    {
        if (B is not null)
        {
            await B.DisposeAsync();
        }

        await A.DisposeAsync();
    }
}

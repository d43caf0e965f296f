using ClinicBlazor.Features.Hosting;

namespace ClinicBlazor.Features.Notifications;

/// <summary>The address links in messages start with: App:PublicBaseUrl (see <see cref="PublicAddress"/>).</summary>
public sealed class NoticeLinks(PublicAddress address)
{
    public string BaseUrl => address.BaseUrl;
}

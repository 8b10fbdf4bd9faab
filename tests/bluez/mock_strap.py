#!/usr/bin/python3
"""Drives python3-dbusmock's bluez5 template as if it were a heart-rate strap.

The bluez5 template knows adapters and devices but no GATT objects and never sets
ServicesResolved, so this script adds the Heart Rate service (0x180D) and its
Heart Rate Measurement characteristic (0x2A37) the way bluetoothd exposes them, and
plays the link events a real strap causes. Used by tests/unit/bluez_heart_strap_test.cpp;
every command exits non-zero with a message on stderr when something is off.

  mock_strap.py --address ADDR wait-ready
  mock_strap.py --address ADDR add-adapter hci0
  mock_strap.py --address ADDR add-device hci0 A0:9E:1A:00:00:01 "Polar H10 1234ABCD"
  mock_strap.py --address ADDR resolve DEVICE_PATH [--acquire]   # connected + GATT objects
  mock_strap.py --address ADDR link-loss DEVICE_PATH             # connection dropped
  mock_strap.py --address ADDR remove-device hci0 DEVICE_PATH
  mock_strap.py --address ADDR notify DEVICE_PATH "10 3C 00 04 33 03 CD 04"
  mock_strap.py --address ADDR wait-calls PATH METHOD COUNT      # until METHOD called COUNT times
  mock_strap.py --address ADDR count-calls PATH METHOD
"""
import argparse
import sys
import time

import dbus

BLUEZ = 'org.bluez'
MOCK_IFACE = 'org.freedesktop.DBus.Mock'
BLUEZ_MOCK_IFACE = 'org.bluez.Mock'
OBJECT_MANAGER_IFACE = 'org.freedesktop.DBus.ObjectManager'
DEVICE_IFACE = 'org.bluez.Device1'
SERVICE_IFACE = 'org.bluez.GattService1'
CHAR_IFACE = 'org.bluez.GattCharacteristic1'
TEST_IFACE = 'org.plinth.Test'
HEART_RATE_SERVICE_UUID = '0000180d-0000-1000-8000-00805f9b34fb'
HEART_RATE_MEASUREMENT_UUID = '00002a37-0000-1000-8000-00805f9b34fb'
WAIT_LIMIT_S = 10.0

# Runs inside the mock (dbusmock executes method code with `self` and `args`). Like
# bluetoothd, AcquireNotify hands out one end of a SOCK_SEQPACKET pair: one datagram
# per notification.
ACQUIRE_NOTIFY_CODE = '''
import socket
if getattr(self, 'notify_writer', None) is not None:
    raise dbus.exceptions.DBusException('Notify already acquired', name='org.bluez.Error.NotPermitted')
writer, reader = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
self.notify_writer = writer
ret = (dbus.types.UnixFd(reader), dbus.UInt16(185))
reader.close()
'''

START_NOTIFY_CODE = "self.UpdateProperties('org.bluez.GattCharacteristic1', {'Notifying': dbus.Boolean(True)})"
STOP_NOTIFY_CODE = "self.UpdateProperties('org.bluez.GattCharacteristic1', {'Notifying': dbus.Boolean(False)})"

PUSH_VALUE_CODE = '''
writer = getattr(self, 'notify_writer', None)
if writer is not None:
    writer.send(bytes(args[0]))
else:
    self.UpdateProperties('org.bluez.GattCharacteristic1', {'Value': dbus.Array(args[0], signature='y')})
'''

DROP_NOTIFY_CODE = '''
writer = getattr(self, 'notify_writer', None)
if writer is not None:
    writer.close()
    self.notify_writer = None
'''

# The template's Connect keeps a private `connected` flag that refuses a second Connect;
# a dropped link has to clear it like bluetoothd would.
FORGET_CONNECTION_CODE = 'self.connected = False'


def service_path(device_path):
    return device_path + '/service000c'


def char_path(device_path):
    return service_path(device_path) + '/char000d'


def mock(bus, path, iface=MOCK_IFACE):
    return dbus.Interface(bus.get_object(BLUEZ, path), iface)


def object_exists(bus, path):
    root = dbus.Interface(bus.get_object(BLUEZ, '/'), OBJECT_MANAGER_IFACE)
    return dbus.ObjectPath(path) in root.GetManagedObjects()


def emit_interfaces_added(bus, path, interfaces):
    typed = dbus.Dictionary({name: dbus.Dictionary(props, signature='sv')
                             for name, props in interfaces.items()}, signature='sa{sv}')
    mock(bus, '/').EmitSignal(OBJECT_MANAGER_IFACE, 'InterfacesAdded', 'oa{sa{sv}}',
                              [dbus.ObjectPath(path), typed])


def emit_interfaces_removed(bus, path, interfaces):
    mock(bus, '/').EmitSignal(OBJECT_MANAGER_IFACE, 'InterfacesRemoved', 'oas',
                              [dbus.ObjectPath(path), dbus.Array(interfaces, signature='s')])


def add_gatt_objects(bus, device_path, acquire):
    service_props = {
        'UUID': dbus.String(HEART_RATE_SERVICE_UUID),
        'Device': dbus.ObjectPath(device_path),
        'Primary': dbus.Boolean(True),
        'Includes': dbus.Array([], signature='o'),
    }
    mock(bus, '/').AddObject(service_path(device_path), SERVICE_IFACE, service_props, [])
    emit_interfaces_added(bus, service_path(device_path), {SERVICE_IFACE: service_props})

    char_props = {
        'UUID': dbus.String(HEART_RATE_MEASUREMENT_UUID),
        'Service': dbus.ObjectPath(service_path(device_path)),
        'Value': dbus.Array([], signature='y'),
        'Notifying': dbus.Boolean(False),
        'Flags': dbus.Array(['notify'], signature='s'),
    }
    methods = [
        ('StartNotify', '', '', START_NOTIFY_CODE),
        ('StopNotify', '', '', STOP_NOTIFY_CODE),
        ('ReadValue', 'a{sv}', 'ay', 'ret = dbus.Array([], signature="y")'),
    ]
    if acquire:
        char_props['NotifyAcquired'] = dbus.Boolean(False)
        methods.append(('AcquireNotify', 'a{sv}', 'hq', ACQUIRE_NOTIFY_CODE))
    path = char_path(device_path)
    mock(bus, '/').AddObject(path, CHAR_IFACE, char_props, methods)
    char_mock = mock(bus, path)
    char_mock.AddMethod(TEST_IFACE, 'PushValue', 'ay', '', PUSH_VALUE_CODE)
    char_mock.AddMethod(TEST_IFACE, 'DropNotify', '', '', DROP_NOTIFY_CODE)
    emit_interfaces_added(bus, path, {CHAR_IFACE: char_props})


def remove_gatt_objects(bus, device_path):
    path = char_path(device_path)
    if object_exists(bus, path):
        mock(bus, path, TEST_IFACE).DropNotify()
        mock(bus, '/').RemoveObject(path)
        emit_interfaces_removed(bus, path, [CHAR_IFACE])
    path = service_path(device_path)
    if object_exists(bus, path):
        mock(bus, '/').RemoveObject(path)
        emit_interfaces_removed(bus, path, [SERVICE_IFACE])


def cmd_wait_ready(bus, _args):
    deadline = time.monotonic() + WAIT_LIMIT_S
    while not bus.name_has_owner(BLUEZ):
        if time.monotonic() > deadline:
            sys.exit(f'{BLUEZ} did not appear on the bus within {WAIT_LIMIT_S} s')
        time.sleep(0.05)


def cmd_add_adapter(bus, args):
    print(mock(bus, '/', BLUEZ_MOCK_IFACE).AddAdapter(args.adapter, 'plinth-test-host'))


def cmd_add_device(bus, args):
    path = mock(bus, '/', BLUEZ_MOCK_IFACE).AddDevice(args.adapter, args.bdaddr, args.name)
    device = mock(bus, path)
    device.AddMethod(TEST_IFACE, 'ForgetConnection', '', '', FORGET_CONNECTION_CODE)
    print(path)


def cmd_resolve(bus, args):
    if not object_exists(bus, char_path(args.device)):
        add_gatt_objects(bus, args.device, args.acquire)
    mock(bus, args.device).UpdateProperties(DEVICE_IFACE, {
        'Connected': dbus.Boolean(True), 'ServicesResolved': dbus.Boolean(True)})


def cmd_link_loss(bus, args):
    mock(bus, args.device, TEST_IFACE).ForgetConnection()
    remove_gatt_objects(bus, args.device)
    mock(bus, args.device).UpdateProperties(DEVICE_IFACE, {
        'Connected': dbus.Boolean(False), 'ServicesResolved': dbus.Boolean(False)})


def cmd_remove_device(bus, args):
    remove_gatt_objects(bus, args.device)
    adapter = dbus.Interface(bus.get_object(BLUEZ, '/org/bluez/' + args.adapter), 'org.bluez.Adapter1')
    adapter.RemoveDevice(dbus.ObjectPath(args.device))


def cmd_notify(bus, args):
    payload = bytes.fromhex(args.hex)
    mock(bus, char_path(args.device), TEST_IFACE).PushValue(dbus.ByteArray(payload))


def count_calls(bus, path, method):
    return len(mock(bus, path).GetMethodCalls(method))


def cmd_count_calls(bus, args):
    print(count_calls(bus, args.path, args.method))


def cmd_wait_calls(bus, args):
    deadline = time.monotonic() + WAIT_LIMIT_S
    while True:
        try:
            seen = count_calls(bus, args.path, args.method)
        except dbus.exceptions.DBusException:
            seen = 0  # the object may not exist yet
        if seen >= args.count:
            return
        if time.monotonic() > deadline:
            sys.exit(f'{args.method} on {args.path} called {seen} times, expected {args.count} '
                     f'within {WAIT_LIMIT_S} s')
        time.sleep(0.05)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--address', required=True, help='D-Bus address of the private bus')
    sub = parser.add_subparsers(dest='command', required=True)
    sub.add_parser('wait-ready').set_defaults(run=cmd_wait_ready)
    p = sub.add_parser('add-adapter')
    p.add_argument('adapter')
    p.set_defaults(run=cmd_add_adapter)
    p = sub.add_parser('add-device')
    p.add_argument('adapter')
    p.add_argument('bdaddr')
    p.add_argument('name')
    p.set_defaults(run=cmd_add_device)
    p = sub.add_parser('resolve')
    p.add_argument('device')
    p.add_argument('--acquire', action='store_true', help='offer AcquireNotify')
    p.set_defaults(run=cmd_resolve)
    p = sub.add_parser('link-loss')
    p.add_argument('device')
    p.set_defaults(run=cmd_link_loss)
    p = sub.add_parser('remove-device')
    p.add_argument('adapter')
    p.add_argument('device')
    p.set_defaults(run=cmd_remove_device)
    p = sub.add_parser('notify')
    p.add_argument('device')
    p.add_argument('hex')
    p.set_defaults(run=cmd_notify)
    for name, run in (('wait-calls', cmd_wait_calls), ('count-calls', cmd_count_calls)):
        p = sub.add_parser(name)
        p.add_argument('path')
        p.add_argument('method')
        if name == 'wait-calls':
            p.add_argument('count', type=int)
        p.set_defaults(run=run)
    args = parser.parse_args()

    try:
        bus = dbus.bus.BusConnection(args.address)
        args.run(bus, args)
    except dbus.exceptions.DBusException as e:
        sys.exit(f'{args.command}: {e.get_dbus_name()}: {e.get_dbus_message()}')


if __name__ == '__main__':
    main()
